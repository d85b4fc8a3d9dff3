using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Berth.Engine.Oci;

namespace Berth.Engine.Distribution;

/// <summary>A manifest as a registry served it: its exact bytes, media type and digest (verified).</summary>
public sealed record FetchedManifest(byte[] Bytes, string MediaType, Digest Digest);

/// <summary>
/// The distribution spec's verbs on one repository of a registry: manifests by tag or digest, blob
/// HEAD and GET (with Range), upload sessions (monolithic, or chunked PATCHes that follow each
/// <c>Location</c> exactly), cross-repository mounts, and the tag list.
/// </summary>
public sealed class RemoteRepository
{
    /// <summary>The CNCF registry refuses manifests larger than 4 MiB; so do we.</summary>
    public const int MaxManifestBytes = 4 << 20;
    /// <summary>Blobs up to this size go up in one PUT; larger ones in PATCH chunks of this size.</summary>
    public long ChunkSize { get; set; } = 32L << 20;

    private static readonly string[] ManifestAccept =
        [MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList];

    private readonly RegistryClient _client;
    private readonly IReadOnlyList<string> _scopes;

    internal RemoteRepository(RegistryClient client, string path, bool push)
    {
        _client = client;
        Path = path;
        _scopes = [$"repository:{path}:{(push ? "pull,push" : "pull")}"];
    }

    public RegistryClient Client => _client;
    public string Path { get; }

    /// <summary><c>registry/path</c>, as errors name it.</summary>
    public string Name => _client.Domain + "/" + Path;

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string relative, CancellationToken ct,
        Action<HttpRequestMessage>? setup = null, IReadOnlyList<string>? extraScopes = null) =>
        SendAsync(method, new Uri(relative, UriKind.Relative), ct, setup, extraScopes);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, CancellationToken ct,
        Action<HttpRequestMessage>? setup = null, IReadOnlyList<string>? extraScopes = null) =>
        _client.SendAsync(() =>
        {
            var r = new HttpRequestMessage(method, uri);
            setup?.Invoke(r);
            return r;
        }, extraScopes is null ? _scopes : [.. _scopes, .. extraScopes], ct);

    // ---------------------------------------------------------------- manifests

    /// <summary>
    /// GETs a manifest or index by tag or digest. By digest, the bytes must hash to it; by tag, to the
    /// <c>Docker-Content-Digest</c> the registry sent, when it sent one.
    /// </summary>
    public async Task<FetchedManifest> GetManifestAsync(string reference, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, $"v2/{Path}/manifests/{reference}", ct, r =>
        {
            foreach (var a in ManifestAccept) r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(a));
        }).ConfigureAwait(false);
        var what = reference.Contains(':') ? $"manifest {reference}" : "manifest";
        if (!response.IsSuccessStatusCode)
            throw await _client.FailureAsync(response, response.StatusCode == HttpStatusCode.NotFound ? "not found" : what, ct).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength > MaxManifestBytes)
            throw new RegistryException($"{what}: larger than {MaxManifestBytes} bytes");
        var bytes = await ReadLimitedAsync(response.Content, MaxManifestBytes, what, ct).ConfigureAwait(false);
        var actual = Digest.Compute(bytes);
        if (Digest.TryParse(reference, out var wanted))
        {
            if (!wanted.Matches(bytes))
                throw new DigestMismatchException($"{what}: the registry sent content whose digest is {actual}");
            actual = wanted;
        }
        else if (response.Headers.TryGetValues("Docker-Content-Digest", out var hv) &&
                 Digest.TryParse(hv.FirstOrDefault(), out var claimed) && claimed.IsSupported && !claimed.Matches(bytes))
            throw new DigestMismatchException($"{what}: the registry says its digest is {claimed}, but the content is {actual}");

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null or "application/json" or "text/plain" or "application/octet-stream")
        {
            var probe = OciJson.Parse(bytes, OciJson.Default.ManifestProbe, what);
            mediaType = probe.MediaType ?? (probe.Manifests is not null ? MediaTypes.OciIndex : probe.Config is not null ? MediaTypes.OciManifest : null)
                ?? throw new RegistryException($"{what}: cannot tell what kind of manifest this is (no media type)");
        }
        return new FetchedManifest(bytes, mediaType, actual);
    }

    /// <summary>HEADs a manifest by tag or digest: the digest the registry keeps it under, or null when it has none.</summary>
    public async Task<Digest?> ManifestDigestAsync(string reference, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Head, $"v2/{Path}/manifests/{reference}", ct, r =>
        {
            foreach (var a in ManifestAccept) r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(a));
        }).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw await _client.FailureAsync(response, $"manifest {Name}:{reference}", ct).ConfigureAwait(false);
        return response.Headers.TryGetValues("Docker-Content-Digest", out var hv) && Digest.TryParse(hv.FirstOrDefault(), out var d) ? d : null;
    }

    /// <summary>PUTs a manifest under a tag or digest; returns the digest the registry stores it under.</summary>
    public async Task<Digest> PutManifestAsync(string reference, byte[] bytes, string mediaType, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Put, $"v2/{Path}/manifests/{reference}", ct, r =>
        {
            r.Content = new ByteArrayContent(bytes);
            r.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw await _client.FailureAsync(response, $"manifest {Name}:{reference}", ct).ConfigureAwait(false);
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var hv) && Digest.TryParse(hv.FirstOrDefault(), out var stored))
            return stored;
        return Digest.Compute(bytes);
    }

    /// <summary>All tags, following the <c>Link</c> header's pages.</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(CancellationToken ct)
    {
        var tags = new List<string>();
        Uri? next = new($"v2/{Path}/tags/list?n=1000", UriKind.Relative);
        for (int page = 0; next is not null && page < 10_000; page++)
        {
            using var response = await SendAsync(HttpMethod.Get, next, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw await _client.FailureAsync(response, $"tags of {Name}", ct).ConfigureAwait(false);
            var body = await ReadLimitedAsync(response.Content, 16 << 20, $"tags of {Name}", ct).ConfigureAwait(false);
            TagList? list;
            try { list = JsonSerializer.Deserialize(body, DistributionJson.Default.TagList); }
            catch (JsonException e) { throw new RegistryException($"tags of {Name}: malformed JSON: {e.Message}"); }
            tags.AddRange(list?.Tags ?? []);
            next = NextPage(response);
        }
        return tags;
    }

    private static Uri? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links)) return null;
        foreach (var link in links)
        {
            int lt = link.IndexOf('<'), gt = link.IndexOf('>');
            if (lt >= 0 && gt > lt && link.Contains("rel=\"next\"", StringComparison.Ordinal))
                return new Uri(response.RequestMessage!.RequestUri!, link[(lt + 1)..gt]);
        }
        return null;
    }

    // ---------------------------------------------------------------- blobs

    /// <summary>HEADs a blob: its size when the repository has it, null when it does not.</summary>
    public async Task<long?> BlobSizeAsync(Digest digest, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Head, $"v2/{Path}/blobs/{digest}", ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw await _client.FailureAsync(response, $"blob {digest.Short} in {Name}", ct).ConfigureAwait(false);
        return response.Content.Headers.ContentLength ?? 0;
    }

    /// <summary>GETs a blob; the caller reads and disposes the response.</summary>
    public async Task<HttpResponseMessage> GetBlobAsync(Digest digest, CancellationToken ct)
    {
        var response = await SendAsync(HttpMethod.Get, $"v2/{Path}/blobs/{digest}", ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await _client.FailureAsync(response, $"blob {digest} of {Name}", ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the registry to mount a blob from another repository it holds. True when it did (201);
    /// false when it started an ordinary upload instead, whose location is then returned.
    /// </summary>
    public async Task<(bool Mounted, Uri? UploadLocation)> TryMountAsync(Digest digest, string fromRepository, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post,
            $"v2/{Path}/blobs/uploads/?mount={Uri.EscapeDataString(digest.ToString())}&from={Uri.EscapeDataString(fromRepository)}", ct,
            r => r.Content = new ByteArrayContent([]),
            extraScopes: [$"repository:{fromRepository}:pull"]).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created) return (true, null);
        if (response.StatusCode == HttpStatusCode.Accepted) return (false, LocationOf(response));
        return (false, null);
    }

    /// <summary>Opens an upload session; returns where to send the bytes.</summary>
    public async Task<Uri> StartUploadAsync(CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, $"v2/{Path}/blobs/uploads/", ct,
            r => r.Content = new ByteArrayContent([])).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw await _client.FailureAsync(response, $"upload to {Name}", ct).ConfigureAwait(false);
        return LocationOf(response);
    }

    /// <summary>
    /// Uploads a blob into a session: one PUT when it is at most <see cref="ChunkSize"/>, else PATCH
    /// chunks (each sent to the <c>Location</c> the previous answer gave) and a closing PUT with the digest.
    /// <paramref name="open"/> gives a fresh stream of the bytes from an offset, length bytes long.
    /// </summary>
    public async Task UploadAsync(Uri location, Func<long, long, Stream> open, long size, Digest digest,
        Action<long>? progress, CancellationToken ct)
    {
        if (size <= ChunkSize)
        {
            await CompleteAsync(location, digest, () => Content(open(0, size), size, 0, progress), ct).ConfigureAwait(false);
            return;
        }
        for (long offset = 0; offset < size;)
        {
            long length = Math.Min(ChunkSize, size - offset);
            long start = offset;
            var at = location;
            using var response = await SendAsync(HttpMethod.Patch, at, ct, r =>
            {
                r.Content = Content(open(start, length), length, start, progress);
                r.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + length - 1}");
            }).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Accepted)
                throw await _client.FailureAsync(response, $"upload of {digest.Short} to {Name}", ct).ConfigureAwait(false);
            location = LocationOf(response);
            offset += length;
        }
        await CompleteAsync(location, digest, null, ct).ConfigureAwait(false);
    }

    private async Task CompleteAsync(Uri location, Digest digest, Func<HttpContent>? body, CancellationToken ct)
    {
        var url = WithQuery(location, "digest=" + Uri.EscapeDataString(digest.ToString()));
        using var response = await SendAsync(HttpMethod.Put, url, ct, r =>
        {
            r.Content = body?.Invoke() ?? new ByteArrayContent([]);
            r.Content.Headers.ContentType ??= new MediaTypeHeaderValue("application/octet-stream");
        }).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.OK))
            throw await _client.FailureAsync(response, $"upload of {digest.Short} to {Name}", ct).ConfigureAwait(false);
    }

    private static HttpContent Content(Stream data, long length, long start, Action<long>? progress)
    {
        var content = new StreamContent(progress is null ? data : new ProgressReadStream(data, n => progress(start + n)), 1 << 16);
        content.Headers.ContentLength = length;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    /// <summary>The session's next URL: the Location header exactly, resolved against the request if relative.</summary>
    private Uri LocationOf(HttpResponseMessage response)
    {
        var location = response.Headers.Location
            ?? throw new RegistryException($"upload to {Name}: the registry answered {(int)response.StatusCode} without a Location");
        return location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
    }

    private static Uri WithQuery(Uri uri, string query)
    {
        var s = uri.OriginalString;
        return new Uri(s + (s.Contains('?') ? "&" : "?") + query, uri.IsAbsoluteUri ? UriKind.Absolute : UriKind.Relative);
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, int limit, string what, CancellationToken ct)
    {
        await using var s = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var ms = new MemoryStream();
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await s.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > limit) throw new RegistryException($"{what}: larger than {limit} bytes");
        }
        return ms.ToArray();
    }
}
