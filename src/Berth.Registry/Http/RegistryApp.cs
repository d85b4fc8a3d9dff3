using System.Diagnostics;
using Berth.Registry.Auth;
using Berth.Registry.Storage;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Http;

/// <summary>
/// The request pipeline, in one place: route, method, read-only mode, authorization, handler, and
/// the spec's JSON error for whatever a handler refuses; then metrics and the access log.
/// </summary>
public sealed class RegistryApp(IRegistryStorage storage, RegistryOptions options, IAccessController access,
    TokenIssuer? tokens, RegistryMetrics metrics, AccessLog? log, Action<string> diagnostics)
{
    public IRegistryStorage Storage { get; } = storage;
    public RegistryOptions Options { get; } = options;
    public IAccessController Access { get; } = access;
    public TokenIssuer? Tokens { get; } = tokens;
    public RegistryMetrics Metrics { get; } = metrics;

    public async Task HandleAsync(HttpContext http)
    {
        long start = Stopwatch.GetTimestamp();
        var route = Route.Parse(http.Request.Path.Value ?? "/");
        var r = new RequestContext(http, route, this);
        http.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        try
        {
            await DispatchAsync(r).ConfigureAwait(false);
        }
        catch (RegistryException e)
        {
            await Fail(r, e.Error, e.Message, e.Digest).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await Fail(r, e.StatusCode == 413 ? RegistryError.TooLarge : RegistryError.BlobUploadInvalid, e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (OperationCanceledException)
        {
            await Fail(r, RegistryError.BlobUploadInvalid, "request took longer than the upload timeout").ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            diagnostics($"error: {http.Request.Method} {http.Request.Path}: {e.GetType().Name}: {e.Message}");
            if (!http.Response.HasStarted)
            {
                http.Response.Clear();
                http.Response.StatusCode = 500;
                http.Response.ContentLength = 0;
            }
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(start);
            int status = http.Response.StatusCode;
            Metrics.Request(http.Request.Method, route.Label, status, elapsed.Ticks);
            long sent = http.Response.ContentLength ?? 0;
            if (http.Request.Method != "HEAD") Metrics.Sent(sent);
            log?.Write(http.Connection.RemoteIpAddress?.ToString() ?? "-", r.User, http.Request.Method,
                http.Request.Path.Value + http.Request.QueryString.Value, http.Request.Protocol, status, sent,
                http.Request.Headers.UserAgent.ToString(), elapsed);
        }
    }

    private Task Fail(RequestContext r, RegistryError error, string message, string? digest = null)
    {
        Metrics.Error(error.Code());
        if (r.Response.HasStarted) return Task.CompletedTask;
        var h = r.Response.Headers;
        var (challenge, contentRange) = (h.WWWAuthenticate, h.ContentRange);
        r.Response.Clear();
        h["Docker-Distribution-API-Version"] = "registry/2.0";
        if (challenge.Count > 0) h.WWWAuthenticate = challenge;
        if (contentRange.Count > 0) h.ContentRange = contentRange;
        if (error == RegistryError.RangeInvalid && r.Route.Kind == RouteKind.Upload
            && Storage.Uploads.Open(r.Route.Name, r.Route.Reference) is { } session)
            Responses.UploadHeaders(r.Http, r.Route.Name, session.Id, session.Size);
        return Responses.Error(r.Http, error, message, digest);
    }

    private async Task DispatchAsync(RequestContext r)
    {
        var method = r.Request.Method;
        var kind = r.Route.Kind;
        switch (kind)
        {
            case RouteKind.NotFound:
                await Responses.Error(r.Http, RegistryError.Unsupported, $"no such endpoint: {Names.Truncate(r.Request.Path.Value ?? "")}", status: 404).ConfigureAwait(false);
                return;
            case RouteKind.Metrics:
                Allow(method, "GET");
                await MetaHandlers.MetricsAsync(r).ConfigureAwait(false);
                return;
            case RouteKind.Token:
                Allow(method, "GET", "POST");
                await TokenHandler.HandleAsync(r).ConfigureAwait(false);
                return;
        }

        bool write = method is "POST" or "PUT" or "PATCH" or "DELETE";
        string[] allowed = kind switch
        {
            RouteKind.Base or RouteKind.Catalog or RouteKind.Tags or RouteKind.Referrers => ["GET", "HEAD"],
            RouteKind.Manifest => ["GET", "HEAD", "PUT", "DELETE"],
            RouteKind.Blob => ["GET", "HEAD", "DELETE"],
            RouteKind.UploadStart => ["POST"],
            RouteKind.Upload => ["GET", "PATCH", "PUT", "DELETE"],
            _ => [],
        };
        Allow(method, allowed);
        if (kind is not (RouteKind.Base or RouteKind.Catalog)) Names.CheckRepository(r.Route.Name);
        if (write && Options.ReadOnly)
            throw new RegistryException(RegistryError.Unsupported, "the registry is in read-only mode");

        var needed = Needed(kind, method, r.Route.Name);
        var verdict = Access.Authorize(Authorization(r), needed, Origin(r));
        if (!verdict.Allowed)
        {
            if (verdict.Challenge is not null) r.Response.Headers.WWWAuthenticate = verdict.Challenge;
            throw new RegistryException(verdict.Error, verdict.Message ?? "access denied");
        }
        r.User = verdict.User;

        Task handler = (kind, method) switch
        {
            (RouteKind.Base, _) => MetaHandlers.BaseAsync(r),
            (RouteKind.Catalog, _) => ListingHandlers.CatalogAsync(r),
            (RouteKind.Tags, _) => ListingHandlers.TagsAsync(r),
            (RouteKind.Referrers, _) => ListingHandlers.ReferrersAsync(r),
            (RouteKind.Manifest, "GET" or "HEAD") => ManifestHandlers.GetAsync(r),
            (RouteKind.Manifest, "PUT") => ManifestHandlers.PutAsync(r),
            (RouteKind.Manifest, "DELETE") => ManifestHandlers.DeleteAsync(r),
            (RouteKind.Blob, "GET" or "HEAD") => BlobHandlers.GetAsync(r),
            (RouteKind.Blob, "DELETE") => BlobHandlers.DeleteAsync(r),
            (RouteKind.UploadStart, _) => UploadHandlers.StartAsync(r),
            (RouteKind.Upload, "GET") => UploadHandlers.StatusAsync(r),
            (RouteKind.Upload, "PATCH") => UploadHandlers.PatchAsync(r),
            (RouteKind.Upload, "PUT") => UploadHandlers.PutAsync(r),
            (RouteKind.Upload, "DELETE") => UploadHandlers.CancelAsync(r),
            _ => throw new RegistryException(RegistryError.Unsupported, $"{method} is not supported here"),
        };
        await handler.ConfigureAwait(false);
    }

    private static void Allow(string method, params string[] allowed)
    {
        if (!allowed.Contains(method))
            throw new RegistryException(RegistryError.Unsupported, $"method {method} is not allowed here (allowed: {string.Join(", ", allowed)})");
    }

    /// <summary>The permissions a request needs, in token scope terms.</summary>
    private static List<Access> Needed(RouteKind kind, string method, string name) => (kind, method) switch
    {
        (RouteKind.Base, _) => [],
        (RouteKind.Catalog, _) => [Auth.Access.Catalog],
        (_, "GET" or "HEAD") when kind != RouteKind.Upload => [Auth.Access.Repository(name, Auth.Access.Pull)],
        (RouteKind.Manifest or RouteKind.Blob, "DELETE") => [Auth.Access.Repository(name, Auth.Access.Delete)],
        _ => [Auth.Access.Repository(name, Auth.Access.Pull), Auth.Access.Repository(name, Auth.Access.Push)],
    };

    /// <summary>Whether the current caller may also pull from another repository (for cross-repository mounts).</summary>
    internal bool MayPull(RequestContext r, string name)
    {
        return Access.Authorize(Authorization(r), [Auth.Access.Repository(name, Auth.Access.Pull)], Origin(r)).Allowed;
    }

    private static string? Authorization(RequestContext r) =>
        r.Request.Headers.Authorization.Count > 0 ? r.Request.Headers.Authorization[0] : null;

    private static string Origin(RequestContext r) => r.Request.Scheme + "://" + r.Request.Host.Value;
}
