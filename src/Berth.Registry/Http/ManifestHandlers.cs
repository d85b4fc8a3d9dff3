using Berth.Registry.Storage;

namespace Berth.Registry.Http;

/// <summary><c>/v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>: pull, push and delete manifests by tag or digest.</summary>
internal static class ManifestHandlers
{
    public static Task GetAsync(RequestContext r)
    {
        var m = r.Repo.Manifests.Get(r.Route.Reference);
        if (m is null)
        {
            if (!r.Repo.Exists) throw new RegistryException(RegistryError.NameUnknown, $"repository {r.Route.Name} is unknown");
            throw new RegistryException(RegistryError.ManifestUnknown, $"manifest {Names.Truncate(r.Route.Reference)} is unknown in {r.Route.Name}");
        }
        var digest = m.Digest.ToString();
        var h = r.Response.Headers;
        h.ContentType = m.MediaType;
        h["Docker-Content-Digest"] = digest;
        h.ETag = "\"" + digest + "\"";
        r.Response.ContentLength = m.Bytes.Length;
        if (r.Request.Headers.IfNoneMatch.ToString() == "\"" + digest + "\"")
        {
            r.Response.StatusCode = 304;
            r.Response.ContentLength = null;
            return Task.CompletedTask;
        }
        r.Response.StatusCode = 200;
        return r.Request.Method == "HEAD" ? Task.CompletedTask : r.Response.Body.WriteAsync(m.Bytes, r.Aborted).AsTask();
    }

    public static async Task PutAsync(RequestContext r)
    {
        long max = r.App.Options.MaxManifestSize;
        if (r.Request.ContentLength > max)
            throw new RegistryException(RegistryError.TooLarge, $"manifest of {r.Request.ContentLength} bytes is over the limit of {max}");
        var body = await BodyReader.ReadAllAsync(r.Request.Body, max, r.Aborted).ConfigureAwait(false)
            ?? throw new RegistryException(RegistryError.TooLarge, $"manifest is over the limit of {max} bytes");
        r.App.Metrics.Received(body.Length);
        var result = r.Repo.Manifests.Put(r.Route.Reference, r.Request.ContentType, body);
        var digest = result.Digest.ToString();
        var h = r.Response.Headers;
        h.Location = $"/v2/{r.Route.Name}/manifests/{digest}";
        h["Docker-Content-Digest"] = digest;
        if (result.Subject is { } s) h["OCI-Subject"] = s.ToString();
        Responses.Empty(r.Http, 201);
    }

    public static Task DeleteAsync(RequestContext r)
    {
        if (!r.Repo.Exists) throw new RegistryException(RegistryError.NameUnknown, $"repository {r.Route.Name} is unknown");
        if (!r.Repo.Manifests.Delete(r.Route.Reference))
            throw new RegistryException(RegistryError.ManifestUnknown, $"manifest {Names.Truncate(r.Route.Reference)} is unknown in {r.Route.Name}");
        Responses.Empty(r.Http, 202);
        return Task.CompletedTask;
    }
}
