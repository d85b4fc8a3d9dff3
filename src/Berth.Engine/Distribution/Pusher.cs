using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Engine.Images;
using Berth.Engine.Layers;
using Berth.Engine.Oci;
using Berth.Engine.Runtime;

namespace Berth.Engine.Distribution;

public sealed record PushOptions
{
    /// <summary>Layer compression on the wire. Null keeps compressed layers as stored and gzips uncompressed ones.</summary>
    public Compression? Compression { get; init; }
    public int MaxConcurrentUploads { get; init; } = 3;
    /// <summary>Blobs larger than this go up in PATCH chunks of this size.</summary>
    public long ChunkSize { get; init; } = 32L << 20;
}

/// <summary>What a push stored: the manifest digest the registry keeps the image under, and its size.</summary>
public sealed record PushResult(ImageReference Reference, Digest Digest, long Size);

/// <summary>
/// Pushes images from a state root to a registry. For each layer: HEAD the blob; if the repository
/// lacks it, mount it from another repository of the same registry it is known to be in; else upload
/// it. The config goes up alongside the layers, the manifest last. Layers stored uncompressed are compressed once per
/// compression and the resulting blob is remembered, so a layer always pushes as the same blob.
/// </summary>
public sealed class Pusher(StateRoot root, Registries registries, IProgress<TransferEvent>? progress = null)
{
    private const int ReportEvery = 1 << 19;

    private sealed class LayerPlan(Descriptor local, Digest diffId, Compression target)
    {
        public Descriptor Local { get; } = local;
        public Digest DiffId { get; } = diffId;
        public Compression Target { get; } = target;
        /// <summary>The blob the registry gets (known before the push, or made by compressing).</summary>
        public Descriptor? Remote { get; set; }
        public IReadOnlyList<string> MountSources { get; set; } = [];
        public bool Compressed { get; set; }
        public string Id => DiffId.Short;
    }

    /// <summary>Pushes the image tagged <paramref name="reference"/> under that tag.</summary>
    public async Task<PushResult> PushAsync(ImageReference reference, PushOptions? options = null, CancellationToken ct = default)
    {
        options ??= new PushOptions();
        try
        {
            if (reference.Tag is null) throw new BerthException("push needs a tag (name:tag), not a digest");
            using var _ = root.SharedLock();
            var image = root.Images.Find(reference.ToString())
                ?? throw new NotFoundException($"An image does not exist locally with the tag: {reference.Familiar}");
            return await PushImageAsync(reference, image, options, ct).ConfigureAwait(false);
        }
        catch (BerthException e)
        {
            throw new BerthException($"push {reference}: {e.Message}", e.ExitCode, e);
        }
    }

    /// <summary>The local tags of a repository, for <c>push -a</c>.</summary>
    public IReadOnlyList<ImageReference> LocalTags(ImageReference repository) =>
        root.Images.List().SelectMany(i => i.Tags).Where(t => t.Repository == repository.Repository)
            .OrderBy(t => t.Tag, StringComparer.Ordinal).ToList();

    private async Task<PushResult> PushImageAsync(ImageReference reference, ImageRecord image, PushOptions options, CancellationToken ct)
    {
        var repo = registries.Client(reference.Domain).Repository(reference.Path, push: true);
        repo.ChunkSize = options.ChunkSize;
        // the round trip, and making the HTTP client, run on another thread while this one plans
        var ping = Task.Run(() => repo.Client.PingAsync(ct), ct);
        var records = new DistributionRecords(root.Db);
        var plans = new List<LayerPlan>();
        foreach (var layer in image.Layers)
        {
            var local = layer.Blob;
            var stored = MediaTypes.LayerCompressionOf(local.MediaType) ?? Compression.None;
            var target = options.Compression ?? (stored == Compression.None ? Compression.Gzip : stored);
            var plan = new LayerPlan(local, layer.DiffId, target);
            plan.Remote = target == stored ? local : records.CompressedBlob(plan.DiffId, target);
            if (plan.Remote is { } r) plan.MountSources = records.RepositoriesWith(r.Digest, reference.Domain).Where(p => p != reference.Path).ToList();
            plans.Add(plan);
        }
        var manifest = new Lazy<StoredManifest>(() => ReadManifest(image));
        foreach (var p in plans) Report(p.Id, TransferStatus.Preparing);
        Phases.Mark("push: layers planned");
        await ping.ConfigureAwait(false);
        Phases.Mark("push: registry pinged");

        // A registry keeps a manifest only with every blob it names: when the tag already holds the very
        // manifest this push would send, nothing is missing (one HEAD instead of one per blob). Asked only
        // when this repository is known to have held that manifest; a first push goes straight to the blobs.
        (Digest Digest, long Size)? expected = plans.All(p => p.Remote is not null) && image.RepoDigests.Any(d => d.Repository == reference.Repository)
            ? ManifestToSend(image, manifest, plans, records) : null;
        if (expected is var (wanted, size) && image.RepoDigests.Contains(reference.WithDigest(wanted)))
        {
            var held = await repo.ManifestDigestAsync(reference.Tag!, ct).ConfigureAwait(false);
            Phases.Mark("push: the tag's manifest checked");
            if (held == wanted)
            {
                foreach (var p in plans) Report(p.Id, TransferStatus.LayerAlreadyExists);
                return Pushed(reference, image, plans, records, wanted, size);
            }
        }

        // every layer and the config at once (HEADs are cheap; the semaphore bounds only uploads), then the manifest
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(ct))
        using (var uploads = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentUploads)))
        using (var compressor = new SemaphoreSlim(1))
        {
            var tasks = plans.DistinctBy(p => p.DiffId).Select(p => PushLayerAsync(repo, p, uploads, compressor, cts)).ToList();
            tasks.Add(PushConfigAsync(repo, image.Id, image.ConfigSize, uploads, cts));
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        Phases.Mark("push: blobs pushed");
        var byDiffId = plans.DistinctBy(p => p.DiffId).ToDictionary(p => p.DiffId);
        foreach (var p in plans) p.Remote ??= byDiffId[p.DiffId].Remote;
        var (bytes, mediaType) = ManifestToPush(image, manifest.Value, plans);
        var digest = await repo.PutManifestAsync(reference.Tag!, bytes, mediaType, ct).ConfigureAwait(false);
        if (!ReferenceEquals(bytes, manifest.Value.Bytes) && expected?.Digest != digest)
            records.RecordRewrittenManifest(RewriteKey(image, plans), digest, bytes.Length);
        Phases.Mark("push: manifest put");
        return Pushed(reference, image, plans, records, digest, bytes.Length);
    }

    /// <summary>The stored manifest's bytes and content; its layers must be the image record's.</summary>
    private sealed record StoredManifest(byte[] Bytes, Manifest Content);

    private StoredManifest ReadManifest(ImageRecord image)
    {
        var bytes = root.Images.ReadManifestBytes(image);
        var manifest = OciJson.Parse(bytes, OciJson.Default.Manifest, $"manifest of {image.Id.Short}");
        if (!manifest.Layers.Select(l => l.Digest).SequenceEqual(image.Layers.Select(l => l.Blob.Digest)))
            throw new BerthException($"image {image.Id.Short}: its manifest names other layers than its record ({manifest.Layers.Count} against {image.Layers.Count})");
        return new StoredManifest(bytes, manifest);
    }

    /// <summary>
    /// The digest and size of the manifest this push sends, before sending it: the stored one's when every
    /// layer goes as stored; else the rewritten one's, remembered from an earlier push (making and hashing
    /// it costs more than the rest of a push that finds nothing new).
    /// </summary>
    private static (Digest Digest, long Size) ManifestToSend(ImageRecord image, Lazy<StoredManifest> manifest, List<LayerPlan> plans, DistributionRecords records)
    {
        if (plans.All(p => p.Remote!.Digest == p.Local.Digest)) return (image.Manifest.Digest, image.Manifest.Size);
        var key = RewriteKey(image, plans);
        if (records.RewrittenManifest(key) is { } known) return known;
        var (bytes, _) = ManifestToPush(image, manifest.Value, plans);
        var digest = Digest.Compute(bytes);
        records.RecordRewrittenManifest(key, digest, bytes.Length);
        return (digest, bytes.Length);
    }

    /// <summary>What a rewritten manifest is made from: the stored manifest and the blob each layer goes as.</summary>
    private static string RewriteKey(ImageRecord image, List<LayerPlan> plans) =>
        image.Manifest.Digest + string.Concat(plans.Select(p => $" {p.Target}:{p.Remote!.Digest}:{p.Remote.Size}"));

    /// <summary>Remembers what the push made and where its blobs now are; records the repo digest.</summary>
    private PushResult Pushed(ImageReference reference, ImageRecord image, List<LayerPlan> plans,
        DistributionRecords records, Digest digest, long size)
    {
        foreach (var p in plans.Where(p => p.Compressed)) records.RecordCompressedBlob(p.DiffId, p.Target, p.Remote!);
        records.RecordBlobSources(reference.Domain, reference.Path, plans.Select(p => p.Remote!.Digest).Append(image.Id));
        var repoDigest = reference.WithDigest(digest);
        if (!image.RepoDigests.Contains(repoDigest)) root.Images.Add(image, repoDigests: [repoDigest]);
        return new PushResult(reference, digest, size);
    }

    /// <summary>HEAD, else mount, else upload (compressing first when the blob is not at hand).</summary>
    private async Task PushLayerAsync(RemoteRepository repo, LayerPlan plan, SemaphoreSlim uploads, SemaphoreSlim compressor, CancellationTokenSource cts)
    {
        var ct = cts.Token;
        try
        {
            plan.Remote ??= await CompressAsync(plan, compressor, ct).ConfigureAwait(false);
            var blob = plan.Remote;
            if (await repo.BlobSizeAsync(blob.Digest, ct).ConfigureAwait(false) is not null)
            {
                Report(plan.Id, TransferStatus.LayerAlreadyExists);
                return;
            }
            Uri? uploadAt = null;
            foreach (var from in plan.MountSources)
            {
                var (mounted, location) = await repo.TryMountAsync(blob.Digest, from, ct).ConfigureAwait(false);
                if (mounted)
                {
                    Report(plan.Id, TransferStatus.Mounted, from: from);
                    return;
                }
                uploadAt = location;
                if (location is not null) break;
            }
            if (!root.Content.Exists(blob.Digest))
            {
                // the remembered blob was collected since: make it again (the compressors are deterministic)
                plan.Remote = blob = await CompressAsync(plan, compressor, ct).ConfigureAwait(false);
            }
            Report(plan.Id, TransferStatus.Waiting);
            await uploads.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                uploadAt ??= await repo.StartUploadAsync(ct).ConfigureAwait(false);
                long reported = 0;
                Report(plan.Id, TransferStatus.Pushing, 0, blob.Size);
                await repo.UploadAsync(uploadAt, Opener(blob.Digest), blob.Size, blob.Digest, done =>
                {
                    if (done - reported < ReportEvery && done < blob.Size) return;
                    reported = done;
                    Report(plan.Id, TransferStatus.Pushing, done, blob.Size);
                }, ct).ConfigureAwait(false);
            }
            finally
            {
                uploads.Release();
            }
            Report(plan.Id, TransferStatus.Pushed);
        }
        catch
        {
            cts.Cancel();
            throw;
        }
    }

    private async Task PushConfigAsync(RemoteRepository repo, Digest config, long size, SemaphoreSlim uploads, CancellationTokenSource cts)
    {
        var ct = cts.Token;
        try
        {
            if (await repo.BlobSizeAsync(config, ct).ConfigureAwait(false) is not null) return;
            await uploads.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var uploadAt = await repo.StartUploadAsync(ct).ConfigureAwait(false);
                await repo.UploadAsync(uploadAt, Opener(config), size, config, null, ct).ConfigureAwait(false);
            }
            finally
            {
                uploads.Release();
            }
        }
        catch
        {
            cts.Cancel();
            throw;
        }
    }

    /// <summary>Compresses a stored layer into the content store (one at a time: each compressor uses every core).</summary>
    private async Task<Descriptor> CompressAsync(LayerPlan plan, SemaphoreSlim compressor, CancellationToken ct)
    {
        await compressor.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var content = root.Content;
            var layers = root.ImageContent;
            var blob = await Task.Run(() =>
            {
                using var source = layers.OpenRead(plan.Local.Digest);
                using var tar = LayerCompression.OpenDecompressed(source, out _);
                using var writer = content.BeginWrite();
                using (var compress = LayerCompression.OpenCompressor(writer, plan.Target, leaveOpen: true))
                {
                    var buffer = new byte[1 << 20];
                    int n;
                    while ((n = tar.Read(buffer)) > 0)
                    {
                        ct.ThrowIfCancellationRequested();
                        compress.Write(buffer, 0, n);
                    }
                }
                var digest = writer.Commit();
                return new Descriptor { MediaType = MediaTypes.LayerMediaType(plan.Target, docker: false), Digest = digest, Size = writer.Written };
            }, ct).ConfigureAwait(false);
            plan.Compressed = true;
            return blob;
        }
        finally
        {
            compressor.Release();
        }
    }

    /// <summary>
    /// The stored manifest's exact bytes when every layer goes as stored (its digest stays the same);
    /// otherwise a manifest naming the compressed blobs, in the stored manifest's family (OCI or Docker
    /// schema2; zstd exists only in OCI).
    /// </summary>
    private static (byte[] Bytes, string MediaType) ManifestToPush(ImageRecord image, StoredManifest stored, List<LayerPlan> plans)
    {
        if (plans.All(p => p.Remote!.Digest == p.Local.Digest)) return (stored.Bytes, image.Manifest.MediaType);
        var manifest = stored.Content;
        bool docker = image.Manifest.MediaType == MediaTypes.DockerManifest && plans.All(p => p.Target != Compression.Zstd);
        var rewritten = new Manifest
        {
            SchemaVersion = 2,
            MediaType = docker ? MediaTypes.DockerManifest : MediaTypes.OciManifest,
            Config = manifest.Config with { MediaType = docker ? MediaTypes.DockerConfig : MediaTypes.OciConfig },
            Layers = plans.Select((p, i) => new Descriptor
            {
                MediaType = MediaTypes.LayerMediaType(p.Target, docker),
                Digest = p.Remote!.Digest,
                Size = p.Remote.Size,
                Annotations = manifest.Layers[i].Annotations,
            }).ToList(),
            Annotations = manifest.Annotations,
        };
        return (JsonSerializer.SerializeToUtf8Bytes(rewritten, s_manifestJson.Manifest), rewritten.MediaType);
    }

    /// <summary>Manifests written as other tools write them: <c>+</c> in media types stays <c>+</c>, not <c>\u002B</c>.</summary>
    private static readonly OciJson s_manifestJson = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    /// <summary>Opens a blob at an offset, for one upload request. What goes up is always a stored file
    /// (layers made here are compressed into the content store first), so it can seek.</summary>
    private Func<long, long, Stream> Opener(Digest digest) => (offset, length) =>
    {
        var s = root.Content.OpenRead(digest);
        s.Seek(offset, SeekOrigin.Begin);
        return new SliceStream(s, length);
    };

    private void Report(string id, TransferStatus status, long current = 0, long total = 0, string? from = null) =>
        progress?.Report(new TransferEvent(id, status, current, total, from));
}
