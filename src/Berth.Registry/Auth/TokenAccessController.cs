namespace Berth.Registry.Auth;

/// <summary>
/// Bearer token authentication: a request needs a token signed by the configured key, issued for
/// this service, not expired, whose access claim covers every action the request needs. Otherwise
/// the answer is a 401 whose <c>WWW-Authenticate: Bearer realm=...,service=...,scope=...</c> tells
/// docker, podman and skopeo where to get a token for exactly those scopes.
/// </summary>
public sealed class TokenAccessController(TokenKey key, string? configuredRealm, string service, string issuer) : IAccessController
{
    private static readonly TimeSpan Leeway = TimeSpan.FromSeconds(60);

    public AccessResult Authorize(string? authorizationHeader, IReadOnlyList<Access> needed, string origin)
    {
        var realm = configuredRealm ?? origin + "/token";
        if (authorizationHeader is null || !authorizationHeader.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Challenge(realm, needed, null, "authentication required");
        var claims = Jwt.Verify(key, authorizationHeader[7..].Trim());
        var now = DateTimeOffset.UtcNow;
        if (claims is null || claims.Issuer != issuer || !claims.Audience.Contains(service)
            || claims.Expires + Leeway < now || claims.NotBefore - Leeway > now)
            return Challenge(realm, needed, "invalid_token", "invalid or expired token");
        var missing = needed.Where(n => !claims.Access.Any(n.IsCoveredBy)).ToList();
        if (missing.Count > 0)
            return Challenge(realm, needed, "insufficient_scope", $"token does not grant {Access.FormatScopes(missing)}") with { User = claims.Subject };
        return AccessResult.Allow(claims.Subject);
    }

    private AccessResult Challenge(string realm, IReadOnlyList<Access> needed, string? error, string message, RegistryError code = RegistryError.Unauthorized)
    {
        var header = $"Bearer realm=\"{realm}\",service=\"{service}\"";
        if (needed.Count > 0) header += $",scope=\"{Access.FormatScopes(needed)}\"";
        if (error is not null) header += $",error=\"{error}\"";
        return new AccessResult(false, null, code, header, message);
    }
}

/// <summary>Issues tokens for htpasswd users, for the built-in token endpoint.</summary>
public sealed class TokenIssuer(TokenKey key, HtpasswdFile users, string service, string issuer, TimeSpan lifetime)
{
    public static readonly string[] GrantableActions = [Access.Pull, Access.Push, Access.Delete, "*"];

    public string Service => service;
    public TimeSpan Lifetime => lifetime;

    public bool Authenticate(string user, string password) => users.Verify(user, password);

    /// <summary>A token for <paramref name="user"/> (null: anonymous, granted nothing) with the scopes asked for.</summary>
    public string Issue(string? user, IEnumerable<string> scopes)
    {
        var granted = user is null ? [] : scopes.SelectMany(Access.ParseScope)
            .Where(a => (a.Type == "repository" && GrantableActions.Contains(a.Action)) || a == Access.Catalog)
            .ToList();
        var now = DateTimeOffset.UtcNow;
        return Jwt.Sign(key, new TokenClaims(issuer, user, [service], now, now + lifetime, granted));
    }
}
