using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.Registry.Auth;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests.Auth;

/// <summary>Basic auth with htpasswd, bearer tokens with scopes, and the built-in token endpoint.</summary>
public sealed class AuthTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-registry-auth-").FullName;

    private string Htpasswd()
    {
        var path = Path.Combine(_dir, "htpasswd");
        File.WriteAllText(path, $"alice:{BCrypt.Net.BCrypt.HashPassword("wonderland", 5)}\nbob:{BCrypt.Net.BCrypt.HashPassword("builder", 5)}\n");
        return path;
    }

    private string EcKey()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = Path.Combine(_dir, "token.pem");
        File.WriteAllText(path, ec.ExportECPrivateKeyPem());
        return path;
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    [Fact]
    public async Task Htpasswd_refuses_anonymous_and_wrong_passwords_and_lets_users_in()
    {
        var htpasswd = Htpasswd();
        await using var reg = await TestRegistry.StartAsync(o => o with { Htpasswd = htpasswd });
        using var anonymous = await reg.Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic realm=\"berth-registry\"", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal("UNAUTHORIZED", await TestRegistry.ErrorCodeAsync(anonymous));

        reg.Client.DefaultRequestHeaders.Authorization = Basic("alice", "wrong");
        using var wrong = await reg.Client.GetAsync("/v2/r/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        reg.Client.DefaultRequestHeaders.Authorization = Basic("nobody", "wonderland");
        using var unknownUser = await reg.Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.StatusCode);

        reg.Client.DefaultRequestHeaders.Authorization = Basic("alice", "wonderland");
        using var ok = await reg.Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await reg.PushImageAsync("r", "v1");
    }

    [Fact]
    public async Task Token_auth_challenges_with_realm_service_and_scope()
    {
        var (htpasswd, key) = (Htpasswd(), EcKey());
        await using var reg = await TestRegistry.StartAsync(o => o with { Htpasswd = htpasswd, TokenKey = key });
        using var resp = await reg.Client.GetAsync("/v2/team/app/manifests/latest");
        Assert.Equal(HttpStatusCode.Unauthorized, resp.StatusCode);
        var challenge = resp.Headers.WwwAuthenticate.ToString();
        Assert.Equal($"Bearer realm=\"{reg.Server.BaseAddress}/token\",service=\"berth-registry\",scope=\"repository:team/app:pull\"", challenge);
    }

    [Fact]
    public async Task Token_from_the_built_in_endpoint_grants_what_it_names_and_nothing_more()
    {
        var (htpasswd, key) = (Htpasswd(), EcKey());
        await using var reg = await TestRegistry.StartAsync(o => o with { Htpasswd = htpasswd, TokenKey = key });

        var pushToken = await TokenAsync(reg, Basic("alice", "wonderland"), "repository:team/app:pull,push");
        reg.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", pushToken);
        var img = await reg.PushImageAsync("team/app", "v1");

        var pullToken = await TokenAsync(reg, Basic("bob", "builder"), "repository:team/app:pull");
        reg.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", pullToken);
        using var pull = await reg.Client.GetAsync("/v2/team/app/manifests/v1");
        Assert.Equal(HttpStatusCode.OK, pull.StatusCode);

        // Scope too narrow: pull-only token may not push, nor touch another repository.
        using var push = await reg.Client.PostAsync("/v2/team/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, push.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", push.Headers.WwwAuthenticate.ToString());
        Assert.Contains("scope=\"repository:team/app:pull,push\"", push.Headers.WwwAuthenticate.ToString());
        using var other = await reg.Client.GetAsync("/v2/team/other/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        using var delete = await reg.Client.DeleteAsync($"/v2/team/app/manifests/{img.Digest}");
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
    }

    [Fact]
    public async Task Token_endpoint_refuses_wrong_passwords_and_gives_anonymous_tokens_no_access()
    {
        var (htpasswd, key) = (Htpasswd(), EcKey());
        await using var reg = await TestRegistry.StartAsync(o => o with { Htpasswd = htpasswd, TokenKey = key });
        var req = new HttpRequestMessage(HttpMethod.Get, "/token?service=berth-registry&scope=repository:team/app:pull");
        req.Headers.Authorization = Basic("alice", "nope");
        using var wrong = await reg.Client.SendAsync(req);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        var anonymous = await TokenAsync(reg, null, "repository:team/app:pull");
        reg.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", anonymous);
        using var denied = await reg.Client.GetAsync("/v2/team/app/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
    }

    [Fact]
    public async Task Password_grant_by_post_works_like_docker_login()
    {
        var (htpasswd, key) = (Htpasswd(), EcKey());
        await using var reg = await TestRegistry.StartAsync(o => o with { Htpasswd = htpasswd, TokenKey = key });
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "alice", ["password"] = "wonderland",
            ["service"] = "berth-registry", ["scope"] = "repository:x:pull", ["client_id"] = "test",
        });
        using var resp = await reg.Client.PostAsync("/token", form);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        using var doc = JsonDocument.Parse(await resp.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("access_token").GetString()));
    }

    [Fact]
    public async Task Tokens_signed_by_another_key_or_expired_are_refused()
    {
        var (htpasswd, key) = (Htpasswd(), EcKey());
        await using var reg = await TestRegistry.StartAsync(o => o with { Htpasswd = htpasswd, TokenKey = key });
        using var otherKey = TokenKey.Parse(ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportECPrivateKeyPem(), "test");
        var now = DateTimeOffset.UtcNow;
        var forged = Jwt.Sign(otherKey, new TokenClaims("berth-registry", "mallory", ["berth-registry"], now, now.AddMinutes(5),
            [Access.Repository("r", "pull")]));
        reg.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", forged);
        using var resp = await reg.Client.GetAsync("/v2/r/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, resp.StatusCode);
        Assert.Contains("invalid_token", resp.Headers.WwwAuthenticate.ToString());

        using var realKey = TokenKey.Load(key);
        var expired = Jwt.Sign(realKey, new TokenClaims("berth-registry", "alice", ["berth-registry"], now.AddHours(-2), now.AddHours(-1),
            [Access.Repository("r", "pull")]));
        reg.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", expired);
        using var old = await reg.Client.GetAsync("/v2/r/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);

        var alg = Convert.ToBase64String("{\"alg\":\"none\"}"u8).TrimEnd('=');
        var body = expired.Split('.')[1];
        reg.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"{alg}.{body}.");
        using var none = await reg.Client.GetAsync("/v2/r/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
    }

    [Fact]
    public void Rs256_keys_sign_and_verify()
    {
        using var rsa = RSA.Create(2048);
        using var key = TokenKey.Parse(rsa.ExportRSAPrivateKeyPem(), "test");
        using var pub = TokenKey.Parse(rsa.ExportSubjectPublicKeyInfoPem(), "test");
        Assert.Equal("RS256", key.Algorithm);
        Assert.False(pub.CanSign);
        var now = DateTimeOffset.UtcNow;
        var token = Jwt.Sign(key, new TokenClaims("i", "s", ["svc"], now, now.AddMinutes(1), [Access.Repository("a/b", "pull"), Access.Repository("a/b", "push")]));
        var claims = Jwt.Verify(pub, token)!;
        Assert.Equal(["svc"], claims.Audience);
        Assert.Equal(2, claims.Access.Count);
    }

    private static async Task<string> TokenAsync(TestRegistry reg, AuthenticationHeaderValue? auth, string scope)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, $"/token?service=berth-registry&scope={Uri.EscapeDataString(scope)}");
        req.Headers.Authorization = auth;
        using var resp = await reg.Client.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        using var doc = JsonDocument.Parse(await resp.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("token").GetString()!;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
