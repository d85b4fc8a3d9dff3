using System.Net.Http.Headers;
using Berth.Engine.Images;
using Berth.Engine.Oci;

namespace Berth.Engine.Distribution;

public sealed record PullOptions
{
    /// <summary>The platform to pick from an index (docker's default: linux/amd64).</summary>
    public Platform Platform { get; init; } = Platform.Default;
    public int MaxConcurrentDownloads { get; init; } = 3;
    /// <summary>Called once the manifest is found, before any layer moves (docker's "Pulling from" line).</summary>
    public Action<ImageReference>? Starting { get; init; }
}

/// <summary>What a pull stored: the image, the digest the registry names it by (the index's, for a
/// multi-platform image), and whether anything new was downloaded.</summary>
public sealed record PullResult(ImageReference Reference, ImageRecord Image, Digest Digest, bool Downloaded);

/// <summary>
/// Pulls images from a registry into a state root: manifest by tag or digest (an index resolves to
/// one platform), config, then the layers the content store lacks, downloaded in parallel and
/// verified before they become visible, each unpacked while the next ones download. The image and
/// its tag are recorded last, in one transaction, by <see cref="ImageWriter"/>: an interrupted pull
/// leaves the verified blobs (a later pull skips them) and no tag.
/// </summary>
public sealed class Puller(StateRoot root, Registries registries, IProgress<TransferEvent>? progress = null)
{
    private const int MaxConfigBytes = 32 << 20;

    /// <summary>Pulls one reference (a tag or a digest; no tag means <c>latest</c>).</summary>
    public async Task<PullResult> PullAsync(ImageReference reference, PullOptions? options = null, CancellationToken ct = default)
    {
        options ??= new PullOptions();
        if (reference.Tag is null && reference.Digest is null) reference = reference.WithTag(ImageReference.DefaultTag);
        try
        {
            using var _ = root.SharedLock();
            return await PullOneAsync(reference, options, ct).ConfigureAwait(false);
        }
        catch (BerthException e)
        {
            throw new BerthException($"pull {reference}: {e.Message}", e.ExitCode, e);
        }
    }

    /// <summary>Pulls every tag of a repository (<c>pull -a</c>).</summary>
    public async Task<IReadOnlyList<PullResult>> PullAllTagsAsync(ImageReference repository, PullOptions? options = null, CancellationToken ct = default)
    {
        IReadOnlyList<string> tags;
        try { tags = await registries.Client(repository.Domain).Repository(repository.Path).ListTagsAsync(ct).ConfigureAwait(false); }
        catch (BerthException e) { throw new BerthException($"pull {repository.Repository} (all tags): {e.Message}", e.ExitCode, e); }
        if (tags.Count == 0) throw new BerthException($"pull {repository.Repository} (all tags): the repository has no tags");
        var results = new List<PullResult>();
        foreach (var tag in tags.Order(StringComparer.Ordinal))
        {
            var r = repository.WithTag(tag);
            results.Add(await PullAsync(r, options, ct).ConfigureAwait(false));
        }
        return results;
    }

    private async Task<PullResult> PullOneAsync(ImageReference reference, PullOptions options, CancellationToken ct)
    {
        var repo = registries.Client(reference.Domain).Repository(reference.Path);
        var top = await repo.GetManifestAsync(reference.Digest?.ToString() ?? reference.Tag!, ct).ConfigureAwait(false);
        var manifest = await ResolvePlatformAsync(repo, top, options.Platform, ct).ConfigureAwait(false);
        var parsed = Parse(manifest);
        options.Starting?.Invoke(reference);

        var content = root.Content;
        var existing = root.Images.Find(reference.ToString());
        bool configExisted = content.Exists(parsed.Config.Digest);
        var configBytes = await FetchConfigAsync(repo, parsed.Config, ct).ConfigureAwait(false);
        var config = OciJson.Parse(configBytes, OciJson.Default.ImageConfig, $"image config {parsed.Config.Digest.Short}");
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != parsed.Layers.Count)
            throw new BerthException($"image config {parsed.Config.Digest.Short} lists {diffIds.Count} layers but the manifest has {parsed.Layers.Count}");

        bool downloaded = await FetchLayersAsync(repo, parsed.Layers, diffIds, options, ct).ConfigureAwait(false) || !configExisted;

        var tags = reference.Tag is not null ? new[] { reference } : [];
        var repoDigest = reference.WithDigest(top.Digest);
        var image = root.ImageWriter.Commit(manifest.Bytes, manifest.MediaType, tags, [repoDigest], expectedDigest: manifest.Digest, ct: ct);

        var records = new DistributionRecords(root.Db);
        records.RecordBlobSources(reference.Domain, reference.Path, parsed.Layers.Select(l => l.Digest).Append(parsed.Config.Digest));
        for (int i = 0; i < parsed.Layers.Count; i++)
            if (MediaTypes.LayerCompressionOf(parsed.Layers[i].MediaType) is { } c and not Compression.None)
                records.RecordCompressedBlob(diffIds[i], c, parsed.Layers[i] with { Annotations = null, Urls = null, Platform = null });
        downloaded |= existing?.Id != image.Id;
        return new PullResult(reference, image, top.Digest, downloaded);
    }

    /// <summary>An index or manifest list becomes the manifest for the wanted platform.</summary>
    private static async Task<FetchedManifest> ResolvePlatformAsync(RemoteRepository repo, FetchedManifest top, Platform platform, CancellationToken ct)
    {
        var current = top;
        for (int depth = 0; MediaTypes.IsIndex(current.MediaType); depth++)
        {
            if (depth > 4) throw new BerthException("indexes nest too deeply");
            var index = OciJson.Parse(current.Bytes, OciJson.Default.ImageIndex, $"index {current.Digest.Short}");
            var pick = PlatformMatch.Pick(index.Manifests, platform)
                ?? throw new BerthException($"no matching manifest for {platform} in the manifest list entries (it has {PlatformMatch.Describe(index.Manifests)})");
            current = await repo.GetManifestAsync(pick.Digest.ToString(), ct).ConfigureAwait(false);
        }
        return current;
    }

    private static Manifest Parse(FetchedManifest m)
    {
        if (m.MediaType is MediaTypes.DockerSchema1Manifest or MediaTypes.DockerSchema1SignedManifest)
            throw new BerthException($"unsupported media type {m.MediaType}: Docker schema 1 images are obsolete; push the image again with a current client");
        if (!MediaTypes.IsManifest(m.MediaType))
            throw new BerthException($"unsupported media type \"{m.MediaType}\": expected an OCI or Docker schema2 image manifest or index");
        var manifest = OciJson.Parse(m.Bytes, OciJson.Default.Manifest, $"manifest {m.Digest.Short}");
        if (manifest.Config.MediaType is not (MediaTypes.OciConfig or MediaTypes.DockerConfig))
            throw new BerthException($"unsupported config media type \"{manifest.Config.MediaType}\": this is not a container image (an artifact?)");
        foreach (var l in manifest.Layers)
        {
            if (!MediaTypes.IsLayer(l.MediaType))
                throw new BerthException($"unsupported layer media type \"{l.MediaType}\" (layer {l.Digest.Short})");
            if (!l.Digest.IsSupported) throw new BerthException($"unsupported digest algorithm in layer {l.Digest}");
            if (l.Size < 0) throw new BerthException($"layer {l.Digest.Short} has a negative size");
        }
        return manifest;
    }

    private async Task<byte[]> FetchConfigAsync(RemoteRepository repo, Descriptor config, CancellationToken ct)
    {
        var content = root.Content;
        if (content.SizeOf(config.Digest) == config.Size) return content.ReadAllBytes(config.Digest);
        if (config.Size > MaxConfigBytes) throw new BerthException($"image config {config.Digest.Short} is {config.Size} bytes, more than {MaxConfigBytes}");
        using var response = await repo.GetBlobAsync(config.Digest, ct).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (bytes.Length != config.Size)
            throw new DigestMismatchException($"image config {config.Digest.Short}: the registry sent {bytes.Length} bytes, the manifest says {config.Size}");
        content.WriteBytes(bytes, config.MediaType, config.Digest);
        return bytes;
    }

    /// <summary>
    /// Downloads the layers the content store lacks (at most N at once) and unpacks each, in order, as
    /// soon as it and the layers below it are there. Returns whether anything was downloaded.
    /// </summary>
    private async Task<bool> FetchLayersAsync(RemoteRepository repo, IReadOnlyList<Descriptor> layers, IReadOnlyList<Digest> diffIds,
        PullOptions options, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var slots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentDownloads));
        var present = root.ImageContent;
        var downloads = new Task[layers.Count];
        var fetched = new bool[layers.Count];
        var started = new Dictionary<Digest, Task>();
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            if (started.TryGetValue(layer.Digest, out var same)) { downloads[i] = same; continue; }
            if (present.SizeOf(layer.Digest) == layer.Size)
            {
                Report(layer.Digest.Short, TransferStatus.AlreadyExists);
                downloads[i] = started[layer.Digest] = Task.CompletedTask;
                continue;
            }
            Report(layer.Digest.Short, TransferStatus.PullingFsLayer);
            downloads[i] = started[layer.Digest] = DownloadAsync(repo, layer, slots, cts.Token);
            fetched[i] = true;
        }

        var unpack = UnpackInOrderAsync(layers, diffIds, downloads, fetched, cts.Token);
        var all = downloads.Append(unpack).ToList();
        // fail fast: the first error cancels the rest, and that first error is the one reported
        while (all.Count > 0)
        {
            var done = await Task.WhenAny(all).ConfigureAwait(false);
            all.Remove(done);
            if (done.IsFaulted || done.IsCanceled)
            {
                cts.Cancel();
                try { await Task.WhenAll(all).ConfigureAwait(false); } catch (Exception) { }
                await done.ConfigureAwait(false);
            }
        }
        return fetched.Any(f => f);
    }

    private async Task UnpackInOrderAsync(IReadOnlyList<Descriptor> layers, IReadOnlyList<Digest> diffIds, Task[] downloads, bool[] fetched, CancellationToken ct)
    {
        var unpacker = new LayerUnpacker(root.Snapshots, root.ImageContent);
        var chain = ChainId.Compute(diffIds);
        for (int i = 0; i < layers.Count; i++)
        {
            await downloads[i].ConfigureAwait(false);
            var layer = layers[i];
            if (fetched[i]) Report(layer.Digest.Short, TransferStatus.Extracting, 0, layer.Size);
            var parent = i == 0 ? (Digest?)null : chain[i - 1];
            int index = i;
            await Task.Run(() => unpacker.UnpackOne(layer, diffIds[index], chain[index], parent, ct), ct).ConfigureAwait(false);
            if (fetched[i]) Report(layer.Digest.Short, TransferStatus.PullComplete);
        }
    }

    private async Task DownloadAsync(RemoteRepository repo, Descriptor layer, SemaphoreSlim slots, CancellationToken ct)
    {
        await slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var id = layer.Digest.Short;
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    await DownloadOnceAsync(repo, layer, id, ct).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (attempt < 3 && e is IOException or HttpRequestException && !ct.IsCancellationRequested)
                {
                    await Task.Delay(200 * attempt, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task DownloadOnceAsync(RemoteRepository repo, Descriptor layer, string id, CancellationToken ct)
    {
        using var response = await repo.GetBlobAsync(layer.Digest, ct).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var writer = root.Content.BeginWrite();
        var buffer = new byte[1 << 17];
        long done = 0, reported = 0;
        Report(id, TransferStatus.Downloading, 0, layer.Size);
        int n;
        while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            done += n;
            if (done > layer.Size)
                throw new DigestMismatchException($"layer {id}: the registry sent more than the {layer.Size} bytes the manifest says");
            await writer.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            if (done - reported >= 1 << 19) { Report(id, TransferStatus.Downloading, done, layer.Size); reported = done; }
        }
        Report(id, TransferStatus.VerifyingChecksum, done, layer.Size);
        try { writer.Commit(layer.Digest, layer.Size); }
        catch (DigestMismatchException e) { throw new DigestMismatchException($"layer {id}: {e.Message}; the blob was not stored"); }
        Report(id, TransferStatus.DownloadComplete, done, layer.Size);
    }

    private void Report(string id, TransferStatus status, long current = 0, long total = 0) =>
        progress?.Report(new TransferEvent(id, status, current, total));
}
