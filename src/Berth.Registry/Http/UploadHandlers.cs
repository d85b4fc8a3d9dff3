using Berth.Engine.Oci;
using Berth.Registry.Storage;

namespace Berth.Registry.Http;

/// <summary>
/// <c>/v2/&lt;name&gt;/blobs/uploads/</c>: start an upload (or push a blob in one POST, or mount it
/// from another repository), send chunks in order, close it against a digest, ask its status, cancel.
/// </summary>
internal static class UploadHandlers
{
    public static async Task StartAsync(RequestContext r)
    {
        var name = r.Route.Name;
        if (r.Query("mount") is { } mount && r.Query("from") is { } from)
        {
            if (Digest.TryParse(mount, out var d) && d.IsSupported && Names.IsValidRepository(from)
                && r.App.MayPull(r, from) && r.Repo.Mount(d, r.App.Storage.Repository(from)))
            {
                Created(r, d);
                return;
            }
        }
        var session = r.App.Storage.Uploads.Start(name);
        if (r.Query("digest") is { } digestText)
        {
            var digest = Names.CheckDigest(digestText);
            try
            {
                await AppendAsync(r, session, start: null, end: null).ConfigureAwait(false);
                await session.CompleteAsync(digest, r.Repo.LinkBlob, r.Aborted).ConfigureAwait(false);
            }
            catch
            {
                session.Cancel();
                throw;
            }
            Created(r, digest);
            return;
        }
        Responses.UploadHeaders(r.Http, name, session.Id, 0);
        Responses.Empty(r.Http, 202);
    }

    public static Task StatusAsync(RequestContext r)
    {
        var session = Open(r);
        Responses.UploadHeaders(r.Http, r.Route.Name, session.Id, session.Size);
        Responses.Empty(r.Http, 204);
        return Task.CompletedTask;
    }

    public static async Task PatchAsync(RequestContext r)
    {
        var session = Open(r);
        var (start, end) = ContentRange(r);
        long size = await AppendAsync(r, session, start, end).ConfigureAwait(false);
        Responses.UploadHeaders(r.Http, r.Route.Name, session.Id, size);
        Responses.Empty(r.Http, 202);
    }

    public static async Task PutAsync(RequestContext r)
    {
        var session = Open(r);
        var digestText = r.Query("digest")
            ?? throw new RegistryException(RegistryError.DigestInvalid, "closing an upload needs ?digest=<digest> of the whole blob");
        var digest = Names.CheckDigest(digestText);
        var (start, end) = ContentRange(r);
        if (r.Request.ContentLength is not 0 || start is not null)
            await AppendAsync(r, session, start, end).ConfigureAwait(false);
        await session.CompleteAsync(digest, r.Repo.LinkBlob, r.Aborted).ConfigureAwait(false);
        Created(r, digest);
    }

    public static Task CancelAsync(RequestContext r)
    {
        Open(r).Cancel();
        Responses.Empty(r.Http, 204);
        return Task.CompletedTask;
    }

    private static UploadSession Open(RequestContext r) =>
        r.App.Storage.Uploads.Open(r.Route.Name, r.Route.Reference)
        ?? throw new RegistryException(RegistryError.BlobUploadUnknown, $"upload {Names.Truncate(r.Route.Reference)} is unknown in {r.Route.Name}");

    private static async Task<long> AppendAsync(RequestContext r, UploadSession session, long? start, long? end)
    {
        var options = r.App.Options;
        long? length = r.Request.ContentLength;
        if (length > options.MaxBlobSize)
            throw new RegistryException(RegistryError.TooLarge, $"Content-Length {length} is over the blob size limit of {options.MaxBlobSize}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(r.Aborted);
        timeout.CancelAfter(options.UploadTimeout);
        long before = session.Size;
        long size = await session.AppendAsync(r.Request.Body, start, end, length, options.MaxBlobSize, timeout.Token).ConfigureAwait(false);
        r.App.Metrics.Received(size - before);
        return size;
    }

    /// <summary>Content-Range of a chunk: <c>&lt;start&gt;-&lt;end&gt;</c> (also with a <c>bytes</c> prefix); anything else is a 416.</summary>
    private static (long? Start, long? End) ContentRange(RequestContext r)
    {
        var text = r.Request.Headers.ContentRange.ToString().Trim();
        if (text.Length == 0) return (null, null);
        if (text.StartsWith("bytes", StringComparison.OrdinalIgnoreCase)) text = text[5..].TrimStart(' ', '=');
        int slash = text.IndexOf('/');
        if (slash >= 0) text = text[..slash];
        int dash = text.IndexOf('-');
        if (dash > 0 && long.TryParse(text[..dash], System.Globalization.NumberStyles.None, null, out var s)
            && long.TryParse(text[(dash + 1)..], System.Globalization.NumberStyles.None, null, out var e) && e >= s - 1)
            return (s, e);
        throw new RegistryException(RegistryError.RangeInvalid, $"invalid Content-Range \"{Names.Truncate(text)}\": use <start>-<end>");
    }

    private static void Created(RequestContext r, Digest d)
    {
        var h = r.Response.Headers;
        h.Location = $"/v2/{r.Route.Name}/blobs/{d}";
        h["Docker-Content-Digest"] = d.ToString();
        Responses.Empty(r.Http, 201);
    }
}
