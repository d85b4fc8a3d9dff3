using Berth.Cli.CommandLine;
using Berth.Engine.Util;
using Berth.Registry;
using Berth.Registry.Http;

namespace Berth.Cli.Commands;

internal static class RegistryServeCommand
{
    public static readonly CommandSpec Spec = new("serve", "Serve an OCI distribution registry (push and pull with docker, podman, skopeo, berth)", Run)
    {
        Options =
        [
            OptionSpec.Value("addr", "Address to listen on, host:port (\":5000\": every interface)", "string", "\":5000\""),
            OptionSpec.Value("root", "Directory for the registry's data", "string", "\"<berth root>/registry\""),
            OptionSpec.Value("config", "JSON config file; keys are these flags' names (flags override it)"),
            OptionSpec.Value("tls-cert", "PEM certificate for HTTPS"),
            OptionSpec.Value("tls-key", "PEM private key for HTTPS"),
            OptionSpec.Value("htpasswd", "htpasswd file (bcrypt, htpasswd -B) for basic auth, or for the built-in token endpoint"),
            OptionSpec.Value("token-realm", "URL of the token service that clients get bearer tokens from (default: this server's /token)"),
            OptionSpec.Value("token-key", "PEM key that signs (private) or verifies (public, certificate) bearer tokens; ES256 or RS256"),
            OptionSpec.Value("token-service", "Service name tokens are issued for", "string", "\"berth-registry\""),
            OptionSpec.Value("token-issuer", "Issuer tokens must name", "string", "\"berth-registry\""),
            OptionSpec.Flag("read-only", "Refuse every push and delete"),
            OptionSpec.Value("max-manifest-size", "Largest manifest accepted", "bytes", "4MiB"),
            OptionSpec.Value("max-blob-size", "Largest blob accepted", "bytes", "64GiB"),
            OptionSpec.Value("upload-timeout", "Longest time one upload request may take", "duration", "1h"),
            OptionSpec.Value("upload-max-age", "Purge upload sessions idle for longer than this", "duration", "24h"),
            OptionSpec.Value("access-log", "Access log: - (stdout), off, or a file", "string", "\"-\""),
        ],
        MaxArgs = 0,
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var options = new RegistryOptions { Root = RegistryCommand.DefaultRoot(ctx) };
        if (a.Value("config") is { } config) options = RegistryOptions.FromFile(config, options);
        options = options with
        {
            Addr = a.Value("addr") ?? options.Addr,
            Root = a.Value("root") ?? options.Root,
            TlsCert = a.Value("tls-cert") ?? options.TlsCert,
            TlsKey = a.Value("tls-key") ?? options.TlsKey,
            Htpasswd = a.Value("htpasswd") ?? options.Htpasswd,
            TokenRealm = a.Value("token-realm") ?? options.TokenRealm,
            TokenKey = a.Value("token-key") ?? options.TokenKey,
            TokenService = a.Value("token-service") ?? options.TokenService,
            TokenIssuer = a.Value("token-issuer") ?? options.TokenIssuer,
            ReadOnly = a.Has("read-only") ? a.Flag("read-only") : options.ReadOnly,
            MaxManifestSize = a.Value("max-manifest-size") is { } m ? Units.ParseRamSize(m) : options.MaxManifestSize,
            MaxBlobSize = a.Value("max-blob-size") is { } b ? Units.ParseRamSize(b) : options.MaxBlobSize,
            UploadTimeout = a.Value("upload-timeout") is { } t ? Units.ParseDuration(t) : options.UploadTimeout,
            UploadMaxAge = a.Value("upload-max-age") is { } age ? Units.ParseDuration(age) : options.UploadMaxAge,
            AccessLog = a.Value("access-log") ?? options.AccessLog,
        };
        var server = RegistryServer.StartAsync(options, line => ctx.Err.WriteLine(line)).GetAwaiter().GetResult();
        try
        {
            ctx.Err.WriteLine($"berth registry: serving {options.Root} on {string.Join(", ", server.Addresses)}{(options.ReadOnly ? " (read-only)" : "")}");
            server.WaitForShutdownAsync().GetAwaiter().GetResult();
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }
}
