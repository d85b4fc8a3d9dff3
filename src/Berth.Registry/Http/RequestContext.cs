using Berth.Registry.Storage;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Http;

/// <summary>One request on its way through the handlers: the HTTP context, its route, and the repository it names.</summary>
internal sealed class RequestContext(HttpContext http, Route route, RegistryApp app)
{
    public HttpContext Http { get; } = http;
    public Route Route { get; } = route;
    public RegistryApp App { get; } = app;
    public string? User { get; set; }

    private IRepositoryStorage? _repo;
    public IRepositoryStorage Repo => _repo ??= App.Storage.Repository(Route.Name);

    public HttpRequest Request => Http.Request;
    public HttpResponse Response => Http.Response;
    public CancellationToken Aborted => Http.RequestAborted;

    public string? Query(string key) => Request.Query.TryGetValue(key, out var v) && v.Count > 0 ? v[0] : null;
}
