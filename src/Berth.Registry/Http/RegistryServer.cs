using System.Security.Cryptography.X509Certificates;
using Berth.Engine;
using Berth.Registry.Auth;
using Berth.Registry.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Berth.Registry.Http;

/// <summary>
/// A running registry: Kestrel on the configured address, the request pipeline of
/// <see cref="RegistryApp"/>, and a background purge of stale uploads.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly AccessLog? _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _purger;
    private readonly TokenKey? _key;

    private RegistryServer(WebApplication app, AccessLog? log, TokenKey? key, IReadOnlyList<string> addresses,
        RegistryStorage storage, RegistryOptions options, Action<string> diagnostics)
    {
        _app = app;
        _log = log;
        _key = key;
        Addresses = addresses;
        _purger = PurgeLoopAsync(storage, options, diagnostics, _stopping.Token);
    }

    /// <summary>Where the server listens (<c>http://127.0.0.1:41234</c>), with the real port when 0 was asked for.</summary>
    public IReadOnlyList<string> Addresses { get; }

    public string BaseAddress => Addresses[0];

    public static async Task<RegistryServer> StartAsync(RegistryOptions options, Action<string>? diagnostics = null, CancellationToken ct = default)
    {
        options.Validate();
        diagnostics ??= Console.Error.WriteLine;
        var storage = new RegistryStorage(options.Root);
        storage.CleanTemp(TimeSpan.FromHours(1));
        var (access, issuer, key) = Authorization(options);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        X509Certificate2? cert = null;
        if (options.Tls)
        {
            try { cert = X509Certificate2.CreateFromPemFile(options.TlsCert!, options.TlsKey); }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException)
            {
                throw new BerthException($"cannot load --tls-cert {options.TlsCert} / --tls-key {options.TlsKey}: {e.Message}");
            }
        }
        var (ip, port) = RegistryOptions.ParseAddr(options.Addr);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MaxResponseBufferSize = 1 << 20;
            k.Listen(ip, port, listen =>
            {
                if (cert is not null) listen.UseHttps(cert);
            });
        });
        var log = AccessLog.Open(options.AccessLog);
        var app = builder.Build();
        var registry = new RegistryApp(storage, options, access, issuer, new RegistryMetrics(), log, diagnostics);
        app.Run(registry.HandleAsync);
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new BerthException($"cannot listen on {options.Addr}: {e.Message}");
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        return new RegistryServer(app, log, key, addresses, storage, options, diagnostics);
    }

    private static async Task PurgeLoopAsync(RegistryStorage storage, RegistryOptions options, Action<string> diagnostics, CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                int n = storage.Uploads.Purge(options.UploadMaxAge);
                if (n > 0) diagnostics($"purged {n} upload(s) idle for more than {options.UploadMaxAge}");
                await Task.Delay(options.PurgeInterval, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
            catch (IOException e) { diagnostics($"upload purge: {e.Message}"); }
        }
    }

    /// <summary>The access controller the flags ask for, and the token issuer when this server issues tokens.</summary>
    private static (IAccessController, TokenIssuer?, TokenKey?) Authorization(RegistryOptions o)
    {
        var users = o.Htpasswd is null ? null : HtpasswdFile.Load(o.Htpasswd);
        if (o.TokenKey is null)
            return users is null ? (new AllowAll(), null, null) : (new BasicAccessController(users, "berth-registry"), null, null);
        var key = TokenKey.Load(o.TokenKey);
        TokenIssuer? issuer = null;
        if (users is not null && key.CanSign)
            issuer = new TokenIssuer(key, users, o.TokenService, o.TokenIssuer, o.TokenLifetime);
        if (o.TokenRealm is null && issuer is null)
            throw new BerthException("--token-key without --token-realm needs --htpasswd and a private key, so that this registry issues the tokens itself");
        // Without --token-realm the realm is this server's own /token, as the client reached it.
        return (new TokenAccessController(key, o.TokenRealm, o.TokenService, o.TokenIssuer), issuer, key);
    }

    /// <summary>Waits until the process is asked to stop (SIGINT, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _purger.ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_log is not null) await _log.DisposeAsync().ConfigureAwait(false);
        _key?.Dispose();
        _stopping.Dispose();
    }
}
