using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.Json;

namespace Berth.Engine.Distribution;

/// <summary>
/// One registry host. The first request pings <c>/v2/</c>, which picks the scheme (HTTPS, or plain
/// HTTP for loopback and insecure registries) and learns how the registry wants to be authenticated;
/// every request then carries a Bearer token for its scopes (fetched from the challenge's realm,
/// anonymously or with the stored login, and cached per scope) or Basic credentials. Connection
/// errors, 5xx and 429 are retried with exponential backoff.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private static readonly TimeSpan TokenLifetimeDefault = TimeSpan.FromSeconds(60);

    private readonly RegistryHosts _hosts;
    private readonly Credential? _credential;
    private readonly Dictionary<bool, HttpClient> _clients = [];
    private readonly Dictionary<string, Task<(string Token, DateTimeOffset Expires)>> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private Task? _ping;
    private HttpClient? _http;
    private Uri? _base;
    private AuthChallenge? _challenge;

    public RegistryClient(string domain, RegistryHosts hosts, Credential? credential)
    {
        Domain = domain;
        _hosts = hosts;
        _credential = credential;
    }

    /// <summary>The registry as references name it: <c>docker.io</c>, <c>localhost:5000</c>.</summary>
    public string Domain { get; }

    /// <summary>Attempts per request (the first plus retries) on connection errors, 5xx and 429.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>The first retry's delay; each further retry doubles it.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The registry's base URL (after the ping).</summary>
    public Uri BaseUri => _base ?? throw new InvalidOperationException("registry not pinged yet");

    /// <summary>A repository of this registry; <paramref name="push"/> asks for push rights too.</summary>
    public RemoteRepository Repository(string path, bool push = false) => new(this, path, push);

    public Task PingAsync(CancellationToken ct)
    {
        lock (_lock) return _ping is { IsFaulted: false, IsCanceled: false } ? _ping : _ping = PingOnceAsync(ct);
    }

    private async Task PingOnceAsync(CancellationToken ct)
    {
        var schemes = _hosts.SchemesFor(Domain);
        var host = RegistryHosts.ApiHost(Domain);
        for (int i = 0; i < schemes.Count; i++)
        {
            var (scheme, verify) = schemes[i];
            var http = ClientFor(verify);
            var baseUri = new Uri($"{scheme}://{host}/");
            HttpResponseMessage response;
            try
            {
                // a scheme with a fallback gets one try at connecting: the wrong scheme fails at once, not transiently
                bool last = i == schemes.Count - 1;
                response = await SendWithRetryAsync(http, () => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "v2/")), ct,
                    retryConnectionErrors: last).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (i < schemes.Count - 1)
            {
                continue;
            }
            catch (HttpRequestException e)
            {
                throw Unreachable(e);
            }
            // plain HTTP to an HTTPS server: "400 Client sent an HTTP request to an HTTPS server"
            if (i < schemes.Count - 1 && scheme == "http" && response.StatusCode == HttpStatusCode.BadRequest)
            {
                response.Dispose();
                continue;
            }
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                    _challenge = PickChallenge(response) ?? throw new RegistryException($"registry {Domain} answered 401 to /v2/ without a usable WWW-Authenticate challenge", response.StatusCode);
                else if (!response.IsSuccessStatusCode)
                    throw await RegistryException.FromResponseAsync(response, $"registry {Domain} does not answer the /v2/ API (is it an OCI registry?)", ct).ConfigureAwait(false);
            }
            _http = http;
            _base = baseUri;
            return;
        }
    }

    private BerthException Unreachable(HttpRequestException e)
    {
        var reason = e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "no such host",
            HttpRequestError.SecureConnectionError => $"TLS handshake failed ({Innermost(e)}); if it serves plain HTTP, add --insecure-registry {Domain}",
            _ => Innermost(e),
        };
        return new BerthException($"cannot reach registry {Domain}: {reason}");
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e is SocketException s ? s.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData => "no such host",
            SocketError.TimedOut => "connection timed out",
            _ => e.Message,
        } : e.Message;
    }

    private AuthChallenge? PickChallenge(HttpResponseMessage response)
    {
        AuthChallenge? basic = null;
        foreach (var h in response.Headers.WwwAuthenticate)
            foreach (var c in AuthChallenge.Parse(h.ToString()))
            {
                if (c.IsBearer && c.Realm is not null) return c;
                if (c.IsBasic) basic ??= c;
            }
        return basic;
    }

    /// <summary>
    /// Sends a request (made fresh for each attempt, so bodies can be re-sent) with the authorization its
    /// scopes need. A 401 refreshes the token once, with any scope the challenge asks for added.
    /// The caller disposes the response; its body is not buffered.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        await PingAsync(ct).ConfigureAwait(false);
        bool refreshed = false;
        while (true)
        {
            var auth = await AuthorizationAsync(scopes, refreshed, ct).ConfigureAwait(false);
            HttpResponseMessage response;
            try
            {
                response = await SendWithRetryAsync(_http!, () =>
                {
                    var request = make();
                    if (request.RequestUri is { IsAbsoluteUri: false } relative) request.RequestUri = new Uri(_base!, relative);
                    if (auth is not null && request.RequestUri!.Authority == _base!.Authority) request.Headers.Authorization = auth;
                    return request;
                }, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw Unreachable(e);
            }
            if (response.StatusCode != HttpStatusCode.Unauthorized || refreshed || _challenge is null) return response;
            if (PickChallenge(response) is { } c)
            {
                if (c.IsBearer && c.Scope is { } extra && !scopes.Contains(extra)) scopes = [.. scopes, extra];
                _challenge = c;
            }
            response.Dispose();
            refreshed = true;
        }
    }

    private async Task<AuthenticationHeaderValue?> AuthorizationAsync(IReadOnlyList<string> scopes, bool refresh, CancellationToken ct)
    {
        var challenge = _challenge;
        if (challenge is null) return null;
        if (challenge.IsBasic)
            return _credential is null ? null : new AuthenticationHeaderValue("Basic", _credential.BasicValue);
        if (!challenge.IsBearer) return null;
        var key = string.Join(' ', scopes.Order(StringComparer.Ordinal));
        Task<(string Token, DateTimeOffset Expires)> task;
        lock (_lock)
        {
            if (refresh || !_tokens.TryGetValue(key, out task!) || task.IsFaulted || task.IsCanceled ||
                (task.IsCompletedSuccessfully && task.Result.Expires <= DateTimeOffset.UtcNow))
                _tokens[key] = task = FetchTokenAsync(challenge, scopes, ct);
        }
        var (token, _) = await task.ConfigureAwait(false);
        return new AuthenticationHeaderValue("Bearer", token);
    }

    private async Task<(string Token, DateTimeOffset Expires)> FetchTokenAsync(AuthChallenge challenge, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        var query = new List<string>();
        if (challenge.Service is { } service) query.Add("service=" + Uri.EscapeDataString(service));
        foreach (var s in scopes) query.Add("scope=" + Uri.EscapeDataString(s));
        if (_credential is not null) query.Add("account=" + Uri.EscapeDataString(_credential.Username));
        var realm = challenge.Realm!;
        var url = realm + (query.Count == 0 ? "" : (realm.Contains('?') ? "&" : "?") + string.Join('&', query));
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new RegistryException($"registry {Domain} names an invalid token realm \"{realm}\"");
        HttpResponseMessage response;
        try
        {
            response = await SendWithRetryAsync(_http!, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, uri);
                if (_credential is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _credential.BasicValue);
                return request;
            }, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new BerthException($"cannot reach the token server of registry {Domain} ({uri.GetLeftPart(UriPartial.Path)}): {Innermost(e)}");
        }
        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new RegistryException(_credential is null
                    ? $"registry {Domain} requires a login: run `berth login {Domain}`"
                    : $"registry {Domain}: unauthorized: incorrect username or password", response.StatusCode, "UNAUTHORIZED");
            if (!response.IsSuccessStatusCode)
                throw await RegistryException.FromResponseAsync(response, $"token server of registry {Domain}", ct).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            TokenResponse? parsed;
            try { parsed = JsonSerializer.Deserialize(body, DistributionJson.Default.TokenResponse); }
            catch (JsonException e) { throw new RegistryException($"token server of registry {Domain} sent malformed JSON: {e.Message}"); }
            var token = parsed?.Token is { Length: > 0 } t ? t : parsed?.AccessToken is { Length: > 0 } a ? a
                : throw new RegistryException($"token server of registry {Domain} sent no token");
            var lifetime = parsed!.ExpiresIn is > 0 and var s ? TimeSpan.FromSeconds(s) : TokenLifetimeDefault;
            // renew a little early, so a token never expires between checking and using it
            return (token, DateTimeOffset.UtcNow + lifetime - TimeSpan.FromSeconds(Math.Min(10, lifetime.TotalSeconds / 4)));
        }
    }

    /// <summary>
    /// Checks a login against the registry without storing anything: a token exchange with the
    /// credentials for Bearer registries, an authenticated <c>/v2/</c> for Basic ones.
    /// </summary>
    public async Task VerifyLoginAsync(CancellationToken ct)
    {
        await PingAsync(ct).ConfigureAwait(false);
        if (_challenge is null) return;
        if (_challenge.IsBearer)
        {
            await FetchTokenAsync(_challenge, [], ct).ConfigureAwait(false);
            return;
        }
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "v2/"), [], ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
            throw new RegistryException($"registry {Domain}: unauthorized: incorrect username or password", response.StatusCode, "UNAUTHORIZED");
        if (!response.IsSuccessStatusCode)
            throw await RegistryException.FromResponseAsync(response, $"login to {Domain}", ct).ConfigureAwait(false);
    }

    /// <summary>The one-line error for a response that failed: a 401 says whether a login is missing or wrong.</summary>
    internal async Task<RegistryException> FailureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
            return new RegistryException(_credential is null
                ? $"registry {Domain}: unauthorized: authentication required; run `berth login {Domain}`"
                : $"registry {Domain}: unauthorized: incorrect username or password, or no access to {what}", response.StatusCode, "UNAUTHORIZED");
        return await RegistryException.FromResponseAsync(response, what, ct).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendWithRetryAsync(HttpClient http, Func<HttpRequestMessage> make, CancellationToken ct,
        bool retryConnectionErrors = true)
    {
        int maxAttempts = MaxAttempts;
        for (int attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(make(), HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (retryConnectionErrors && attempt < maxAttempts && IsTransient(e))
            {
                await Task.Delay(Backoff(attempt), ct).ConfigureAwait(false);
                continue;
            }
            int code = (int)response.StatusCode;
            if ((code >= 500 || code == 429) && attempt < maxAttempts)
            {
                var delay = Backoff(attempt);
                if (response.Headers.RetryAfter?.Delta is { } after && after > delay) delay = after < TimeSpan.FromSeconds(10) ? after : TimeSpan.FromSeconds(10);
                response.Dispose();
                await Task.Delay(delay, ct).ConfigureAwait(false);
                continue;
            }
            return response;
        }
    }

    private TimeSpan Backoff(int attempt) => RetryDelay * (1 << (attempt - 1));

    private static bool IsTransient(HttpRequestException e) =>
        e.HttpRequestError is not (HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
            or HttpRequestError.ConfigurationLimitExceeded or HttpRequestError.UserAuthenticationError);

    private HttpClient ClientFor(bool verifyTls)
    {
        lock (_lock)
        {
            if (_clients.TryGetValue(verifyTls, out var c)) return c;
            var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = true,
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
                ConnectTimeout = TimeSpan.FromSeconds(30),
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            };
            if (!verifyTls)
                handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
            c = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            c.DefaultRequestHeaders.UserAgent.ParseAdd("berth/0.1");
            _clients[verifyTls] = c;
            return c;
        }
    }

    public void Dispose()
    {
        foreach (var c in _clients.Values) c.Dispose();
    }
}
