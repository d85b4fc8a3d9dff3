namespace Berth.Registry.Http;

public enum RouteKind
{
    NotFound,
    Base,
    Catalog,
    Tags,
    Manifest,
    Blob,
    UploadStart,
    Upload,
    Referrers,
    Metrics,
    Token,
}

/// <summary>
/// A request path taken apart. Repository names contain slashes, so the resource is read from the
/// end of the path (<c>.../manifests/&lt;ref&gt;</c>, <c>.../blobs/uploads/&lt;id&gt;</c>, ...) and the
/// rest is the name, as distribution's router does. The name is not validated here.
/// </summary>
public readonly record struct Route(RouteKind Kind, string Name = "", string Reference = "")
{
    /// <summary>Short label for metrics and logs.</summary>
    public string Label => Kind switch
    {
        RouteKind.UploadStart or RouteKind.Upload => "upload",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    public static Route Parse(string path)
    {
        if (path == "/metrics") return new(RouteKind.Metrics);
        if (path == "/token") return new(RouteKind.Token);
        if (path is "/v2/" or "/v2") return new(RouteKind.Base);
        if (!path.StartsWith("/v2/", StringComparison.Ordinal)) return new(RouteKind.NotFound);
        if (path is "/v2/_catalog") return new(RouteKind.Catalog);
        var parts = path[4..].Split('/');
        int n = parts.Length;
        if (n >= 3 && parts[^1] == "" && parts[^2] == "uploads" && parts[^3] == "blobs")
            return Named(RouteKind.UploadStart, parts, n - 3, "");
        if (n >= 3 && parts[^2] == "uploads" && parts[^3] == "blobs" && parts[^1].Length > 0)
            return Named(RouteKind.Upload, parts, n - 3, parts[^1]);
        if (n >= 3 && parts[^1] == "uploads" && parts[^2] == "blobs")
            return Named(RouteKind.UploadStart, parts, n - 2, "");
        if (n >= 3 && parts[^2] == "tags" && parts[^1] == "list")
            return Named(RouteKind.Tags, parts, n - 2, "");
        if (n >= 3 && parts[^1].Length > 0)
        {
            var kind = parts[^2] switch
            {
                "manifests" => RouteKind.Manifest,
                "blobs" => RouteKind.Blob,
                "referrers" => RouteKind.Referrers,
                _ => RouteKind.NotFound,
            };
            if (kind != RouteKind.NotFound) return Named(kind, parts, n - 2, parts[^1]);
        }
        return new(RouteKind.NotFound);
    }

    private static Route Named(RouteKind kind, string[] parts, int nameParts, string reference) =>
        nameParts < 1 ? new(RouteKind.NotFound) : new(kind, string.Join('/', parts, 0, nameParts), reference);
}
