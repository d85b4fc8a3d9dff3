using Berth.Registry.Storage;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Http;

/// <summary><c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>: fetch (with Range), check and delete blobs.</summary>
internal static class BlobHandlers
{
    public static Task GetAsync(RequestContext r)
    {
        var digest = Names.CheckDigest(r.Route.Reference);
        var blob = r.Repo.StatBlob(digest)
            ?? throw new RegistryException(RegistryError.BlobUnknown, $"blob {digest} is unknown in {r.Route.Name}", digest.ToString());
        var text = digest.ToString();
        var h = r.Response.Headers;
        h["Docker-Content-Digest"] = text;
        h.ETag = "\"" + text + "\"";
        h.AcceptRanges = "bytes";
        h.CacheControl = "max-age=31536000";
        h.ContentType = "application/octet-stream";
        if (r.Request.Headers.IfNoneMatch.ToString() == "\"" + text + "\"")
        {
            r.Response.StatusCode = 304;
            return Task.CompletedTask;
        }

        long offset = 0, length = blob.Size;
        var range = r.Request.Headers.Range.ToString();
        if (range.Length > 0 && ParseRange(range, blob.Size) is var (from, to))
        {
            if (from < 0)
            {
                h.ContentRange = $"bytes */{blob.Size}";
                throw new RegistryException(RegistryError.RangeInvalid, $"range {Names.Truncate(range)} is outside the blob's {blob.Size} bytes");
            }
            offset = from;
            length = to - from + 1;
            h.ContentRange = $"bytes {from}-{to}/{blob.Size}";
            r.Response.StatusCode = 206;
        }
        else r.Response.StatusCode = 200;
        r.Response.ContentLength = length;
        if (r.Request.Method == "HEAD" || length == 0) return Task.CompletedTask;
        return SendAsync(r.Response, blob.Path, offset, length, r.Aborted);
    }

    /// <summary>
    /// Copies a file range straight into Kestrel's output pipe with synchronous reads (blobs are
    /// usually in the page cache), one copy instead of the two of a stream copy, and few flushes.
    /// </summary>
    private static async Task SendAsync(HttpResponse response, string path, long offset, long length, CancellationToken ct)
    {
        const int Chunk = 256 * 1024, FlushEvery = 1024 * 1024;
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        var writer = response.BodyWriter;
        long left = length, unflushed = 0;
        while (left > 0)
        {
            var memory = writer.GetMemory(Chunk);
            int want = (int)Math.Min(memory.Length, left);
            int n = RandomAccess.Read(file, memory.Span[..want], offset);
            if (n == 0) throw new IOException($"{path} ended {left} bytes early");
            writer.Advance(n);
            offset += n;
            left -= n;
            unflushed += n;
            if (unflushed >= FlushEvery || left == 0)
            {
                unflushed = 0;
                var flush = await writer.FlushAsync(ct).ConfigureAwait(false);
                if (flush.IsCanceled || flush.IsCompleted) return;
            }
        }
    }

    public static Task DeleteAsync(RequestContext r)
    {
        var digest = Names.CheckDigest(r.Route.Reference);
        if (!r.Repo.UnlinkBlob(digest))
            throw new RegistryException(RegistryError.BlobUnknown, $"blob {digest} is unknown in {r.Route.Name}", digest.ToString());
        Responses.Empty(r.Http, 202);
        return Task.CompletedTask;
    }

    /// <summary>
    /// One byte range (<c>bytes=a-b</c>, <c>bytes=a-</c>, <c>bytes=-n</c>). Null: ignore the header and
    /// send everything (malformed, or several ranges). (-1, -1): not satisfiable.
    /// </summary>
    internal static (long From, long To)? ParseRange(string header, long size)
    {
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',')) return null;
        var spec = header[6..].Trim();
        int dash = spec.IndexOf('-');
        if (dash < 0) return null;
        var a = spec[..dash].Trim();
        var b = spec[(dash + 1)..].Trim();
        if (a.Length == 0)
        {
            if (!long.TryParse(b, out var suffix) || suffix < 0) return null;
            if (suffix == 0 || size == 0) return (-1, -1);
            return (Math.Max(0, size - suffix), size - 1);
        }
        if (!long.TryParse(a, out var from) || from < 0) return null;
        long to = size - 1;
        if (b.Length > 0 && (!long.TryParse(b, out to) || to < from)) return null;
        if (from >= size) return (-1, -1);
        return (from, Math.Min(to, size - 1));
    }
}
