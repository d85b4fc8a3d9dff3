using Berth.Registry.Auth;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Http;

/// <summary>
/// The built-in token endpoint (<c>/token</c>) for htpasswd users, as docker's token auth expects:
/// <c>GET ?service=&amp;scope=</c> with basic credentials, or an OAuth2 password grant by POST.
/// Without credentials it hands out an anonymous token that grants nothing.
/// </summary>
internal static class TokenHandler
{
    public static async Task HandleAsync(RequestContext r)
    {
        var issuer = r.App.Tokens
            ?? throw new RegistryException(RegistryError.Unsupported, "this registry has no token endpoint: start it with --htpasswd and a private --token-key");
        string? user = null, password = null;
        IEnumerable<string> scopes;
        if (r.Request.Method == "POST" && r.Request.HasFormContentType)
        {
            var form = await r.Request.ReadFormAsync(r.Aborted).ConfigureAwait(false);
            if (form["grant_type"].ToString() is not ("password" or ""))
                throw new RegistryException(RegistryError.Unsupported, "only the password grant is supported");
            user = form["username"].ToString();
            password = form["password"].ToString();
            scopes = form["scope"].SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        }
        else
        {
            if (HtpasswdFile.BasicCredentials(r.Request.Headers.Authorization.ToString()) is var (u, p))
                (user, password) = (u, p);
            scopes = r.Request.Query["scope"].SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        }
        if (!string.IsNullOrEmpty(user))
        {
            if (!issuer.Authenticate(user, password ?? ""))
            {
                r.Response.Headers.WWWAuthenticate = "Basic realm=\"berth-registry-token\"";
                throw new RegistryException(RegistryError.Unauthorized, "invalid username or password");
            }
            r.User = user;
        }
        else user = null;
        var token = issuer.Issue(user, scopes);
        var response = new TokenResponse(token, token, (int)issuer.Lifetime.TotalSeconds, DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        r.Response.Headers.CacheControl = "no-store";
        await Responses.Json(r.Http, 200, response, RegistryJson.Default.TokenResponse).ConfigureAwait(false);
    }
}
