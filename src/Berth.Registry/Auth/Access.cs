namespace Berth.Registry.Auth;

/// <summary>
/// One permission a request needs or a token grants, in docker's token scope grammar:
/// <c>repository:a/b:pull</c>, <c>registry:catalog:*</c>.
/// </summary>
public readonly record struct Access(string Type, string Name, string Action)
{
    public const string Pull = "pull";
    public const string Push = "push";
    public const string Delete = "delete";

    public static Access Repository(string name, string action) => new("repository", name, action);
    public static Access Catalog => new("registry", "catalog", "*");

    /// <summary>Parses one scope (<c>type:name:action1,action2</c>) into its accesses; malformed scopes give none.</summary>
    public static IEnumerable<Access> ParseScope(string scope)
    {
        int first = scope.IndexOf(':'), last = scope.LastIndexOf(':');
        if (first <= 0 || last <= first + 1) yield break;
        var type = scope[..first];
        var name = scope[(first + 1)..last];
        foreach (var action in scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            yield return new Access(type, name, action);
    }

    /// <summary>Scopes for a challenge: one per resource, actions joined by commas.</summary>
    public static string FormatScopes(IEnumerable<Access> accesses) =>
        string.Join(' ', accesses.GroupBy(a => (a.Type, a.Name)).Select(g => $"{g.Key.Type}:{g.Key.Name}:{string.Join(',', g.Select(a => a.Action).Distinct())}"));

    /// <summary>Whether a grant of <paramref name="granted"/> covers this access (<c>*</c> covers all actions).</summary>
    public bool IsCoveredBy(Access granted) =>
        granted.Type == Type && granted.Name == Name && (granted.Action == Action || granted.Action == "*");
}

/// <summary>The outcome of checking a request: allowed (with the user, if any), or a challenge to send back.</summary>
public sealed record AccessResult(bool Allowed, string? User, RegistryError Error = RegistryError.Unauthorized, string? Challenge = null, string? Message = null)
{
    public static AccessResult Allow(string? user) => new(true, user);
}

/// <summary>Decides whether a request may do what it asks.</summary>
public interface IAccessController
{
    /// <param name="authorizationHeader">The request's Authorization header, if any.</param>
    /// <param name="needed">What the request wants to do.</param>
    /// <param name="origin">How the client reached the server (<c>http://host:port</c>), for challenges that point back to it.</param>
    AccessResult Authorize(string? authorizationHeader, IReadOnlyList<Access> needed, string origin);
}

/// <summary>No authentication: everyone may do everything.</summary>
public sealed class AllowAll : IAccessController
{
    public AccessResult Authorize(string? authorizationHeader, IReadOnlyList<Access> needed, string origin) => AccessResult.Allow(null);
}
