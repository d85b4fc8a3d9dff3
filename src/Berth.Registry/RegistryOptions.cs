using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Engine;
using Berth.Engine.Util;

namespace Berth.Registry;

/// <summary>Everything <c>berth registry serve</c> can be told, by flags or by a config file.</summary>
public sealed record RegistryOptions
{
    /// <summary>host:port to listen on; <c>:5000</c> means every interface.</summary>
    public string Addr { get; init; } = ":5000";
    public string Root { get; init; } = "/var/lib/berth-registry";
    public string? TlsCert { get; init; }
    public string? TlsKey { get; init; }
    public string? Htpasswd { get; init; }
    public string? TokenRealm { get; init; }
    public string? TokenKey { get; init; }
    public string TokenService { get; init; } = "berth-registry";
    public string TokenIssuer { get; init; } = "berth-registry";
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);
    public bool ReadOnly { get; init; }
    public long MaxManifestSize { get; init; } = 4 << 20;
    public long MaxBlobSize { get; init; } = 64L << 30;
    /// <summary>Longest time one upload request may take to send its body.</summary>
    public TimeSpan UploadTimeout { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Upload sessions untouched this long are purged.</summary>
    public TimeSpan UploadMaxAge { get; init; } = TimeSpan.FromHours(24);
    public TimeSpan PurgeInterval { get; init; } = TimeSpan.FromHours(1);
    /// <summary><c>-</c> for stdout, <c>off</c>, or a file to append to.</summary>
    public string AccessLog { get; init; } = "-";

    public bool Tls => TlsCert is not null;

    /// <summary>Checks that the settings make sense together; throws a one-line error when not.</summary>
    public RegistryOptions Validate()
    {
        if ((TlsCert is null) != (TlsKey is null)) throw new BerthException("--tls-cert and --tls-key go together");
        if (TokenRealm is not null && TokenKey is null) throw new BerthException("--token-realm needs --token-key (the PEM key that signs or verifies tokens)");
        if (MaxManifestSize <= 0 || MaxBlobSize <= 0) throw new BerthException("size limits must be positive");
        ParseAddr(Addr);
        return this;
    }

    /// <summary>Splits <c>host:port</c>; an empty host means every interface.</summary>
    public static (System.Net.IPAddress Ip, int Port) ParseAddr(string addr)
    {
        int colon = addr.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(addr[(colon + 1)..], out var port) || port is < 0 or > 65535)
            throw new BerthException($"invalid --addr \"{addr}\": use host:port, e.g. 127.0.0.1:5000 or :5000");
        var host = addr[..colon].Trim('[', ']');
        if (host is "" or "0.0.0.0") return (System.Net.IPAddress.Any, port);
        if (host == "localhost") return (System.Net.IPAddress.Loopback, port);
        if (!System.Net.IPAddress.TryParse(host, out var ip))
            throw new BerthException($"invalid --addr \"{addr}\": the host must be an IP address");
        return (ip, port);
    }

    /// <summary>Settings from a JSON config file whose keys are the flag names (<c>"addr"</c>, <c>"tls-cert"</c>...).</summary>
    public static RegistryOptions FromFile(string path, RegistryOptions defaults)
    {
        RegistryConfigFile file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), RegistryConfigJson.Default.RegistryConfigFile)
                ?? throw new BerthException($"{path}: empty config file");
        }
        catch (IOException e) { throw new BerthException($"cannot read config file {path}: {e.Message}"); }
        catch (JsonException e) { throw new BerthException($"{path}: invalid config: {e.Message}"); }
        return defaults with
        {
            Addr = file.Addr ?? defaults.Addr,
            Root = file.Root ?? defaults.Root,
            TlsCert = file.TlsCert ?? defaults.TlsCert,
            TlsKey = file.TlsKey ?? defaults.TlsKey,
            Htpasswd = file.Htpasswd ?? defaults.Htpasswd,
            TokenRealm = file.TokenRealm ?? defaults.TokenRealm,
            TokenKey = file.TokenKey ?? defaults.TokenKey,
            TokenService = file.TokenService ?? defaults.TokenService,
            TokenIssuer = file.TokenIssuer ?? defaults.TokenIssuer,
            ReadOnly = file.ReadOnly ?? defaults.ReadOnly,
            MaxManifestSize = file.MaxManifestSize is { } m ? Units.ParseRamSize(m) : defaults.MaxManifestSize,
            MaxBlobSize = file.MaxBlobSize is { } b ? Units.ParseRamSize(b) : defaults.MaxBlobSize,
            UploadTimeout = file.UploadTimeout is { } t ? Units.ParseDuration(t) : defaults.UploadTimeout,
            UploadMaxAge = file.UploadMaxAge is { } a ? Units.ParseDuration(a) : defaults.UploadMaxAge,
            PurgeInterval = file.PurgeInterval is { } p ? Units.ParseDuration(p) : defaults.PurgeInterval,
            AccessLog = file.AccessLog ?? defaults.AccessLog,
        };
    }
}

/// <summary>The config file: every flag of <c>berth registry serve</c>, under the flag's name.</summary>
public sealed record RegistryConfigFile
{
    [JsonPropertyName("addr")] public string? Addr { get; init; }
    [JsonPropertyName("root")] public string? Root { get; init; }
    [JsonPropertyName("tls-cert")] public string? TlsCert { get; init; }
    [JsonPropertyName("tls-key")] public string? TlsKey { get; init; }
    [JsonPropertyName("htpasswd")] public string? Htpasswd { get; init; }
    [JsonPropertyName("token-realm")] public string? TokenRealm { get; init; }
    [JsonPropertyName("token-key")] public string? TokenKey { get; init; }
    [JsonPropertyName("token-service")] public string? TokenService { get; init; }
    [JsonPropertyName("token-issuer")] public string? TokenIssuer { get; init; }
    [JsonPropertyName("read-only")] public bool? ReadOnly { get; init; }
    [JsonPropertyName("max-manifest-size")] public string? MaxManifestSize { get; init; }
    [JsonPropertyName("max-blob-size")] public string? MaxBlobSize { get; init; }
    [JsonPropertyName("upload-timeout")] public string? UploadTimeout { get; init; }
    [JsonPropertyName("upload-max-age")] public string? UploadMaxAge { get; init; }
    [JsonPropertyName("purge-interval")] public string? PurgeInterval { get; init; }
    [JsonPropertyName("access-log")] public string? AccessLog { get; init; }
}

[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(RegistryConfigFile))]
internal sealed partial class RegistryConfigJson : JsonSerializerContext;
