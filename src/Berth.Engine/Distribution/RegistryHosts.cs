using System.Net;
using System.Text.Json;

namespace Berth.Engine.Distribution;

/// <summary>
/// Where a registry named in a reference really is and how to talk to it, as docker decides:
/// <c>docker.io</c> is served by <c>registry-1.docker.io</c>; registries listed as insecure
/// (<c>--insecure-registry</c>, or <c>insecure-registries</c> in <c>/etc/berth/daemon.json</c> or
/// <c>$BERTH_DAEMON_CONFIG</c>) are tried over HTTPS without certificate checks, then plain HTTP;
/// loopback hosts are insecure without being listed, and are tried over plain HTTP first (loading
/// OpenSSL costs more than a whole local push); every other registry needs HTTPS with a certificate
/// the system trusts.
/// </summary>
public sealed class RegistryHosts
{
    public const string DockerHubApiHost = "registry-1.docker.io";
    /// <summary>The key docker's config.json keeps Docker Hub credentials under.</summary>
    public const string DockerHubAuthKey = "https://index.docker.io/v1/";
    public const string DefaultConfigPath = "/etc/berth/daemon.json";

    private readonly List<string> _insecureHosts = [];
    private readonly List<(IPAddress Network, int Bits)> _insecureNetworks = [];

    public RegistryHosts(IEnumerable<string>? insecure = null)
    {
        foreach (var entry in insecure ?? []) AddInsecure(entry);
    }

    /// <summary>The hosts from the command line plus those of the daemon config file, if it exists.</summary>
    public static RegistryHosts Load(IEnumerable<string>? fromCommandLine = null)
    {
        var hosts = new RegistryHosts(fromCommandLine);
        var path = Environment.GetEnvironmentVariable("BERTH_DAEMON_CONFIG") is { Length: > 0 } p ? p : DefaultConfigPath;
        if (!File.Exists(path)) return hosts;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (doc.RootElement.ValueKind == JsonValueKind.Object &&
                doc.RootElement.TryGetProperty("insecure-registries", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var e in list.EnumerateArray())
                    if (e.GetString() is { } s) hosts.AddInsecure(s);
        }
        catch (JsonException e)
        {
            throw new BerthException($"{path}: malformed JSON: {e.Message}");
        }
        return hosts;
    }

    public void AddInsecure(string entry)
    {
        entry = entry.Trim();
        if (entry.StartsWith("http://", StringComparison.Ordinal)) entry = entry[7..];
        else if (entry.StartsWith("https://", StringComparison.Ordinal)) entry = entry[8..];
        entry = entry.TrimEnd('/');
        if (entry.Length == 0) return;
        int slash = entry.IndexOf('/');
        if (slash > 0 && IPAddress.TryParse(entry[..slash], out var net) && int.TryParse(entry[(slash + 1)..], out var bits))
            _insecureNetworks.Add((net, bits));
        else
            _insecureHosts.Add(entry.ToLowerInvariant());
    }

    /// <summary>The host:port the API is served from.</summary>
    public static string ApiHost(string domain) => domain == Oci.ImageReference.DefaultDomain ? DockerHubApiHost : domain;

    /// <summary>The key of this registry in docker's config.json <c>auths</c>.</summary>
    public static string AuthKey(string domain) => domain == Oci.ImageReference.DefaultDomain ? DockerHubAuthKey : domain;

    /// <summary>localhost, 127.0.0.0/8 and ::1 are insecure registries without being listed, as in docker.</summary>
    public static bool IsLoopback(string domain)
    {
        var host = HostOf(domain);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    public bool IsInsecure(string domain)
    {
        var d = domain.ToLowerInvariant();
        if (_insecureHosts.Contains(d) || _insecureHosts.Contains(HostOf(d))) return true;
        if (IPAddress.TryParse(HostOf(d), out var ip))
            foreach (var (net, bits) in _insecureNetworks)
                if (InNetwork(ip, net, bits)) return true;
        return false;
    }

    /// <summary>The schemes to try, in order, and whether certificates are checked.</summary>
    public IReadOnlyList<(string Scheme, bool VerifyTls)> SchemesFor(string domain) =>
        IsLoopback(domain) ? [("http", false), ("https", false)]
        : IsInsecure(domain) ? [("https", false), ("http", false)]
        : [("https", true)];

    private static string HostOf(string domain)
    {
        if (domain.StartsWith('['))
        {
            int close = domain.IndexOf(']');
            return close > 0 ? domain[1..close] : domain;
        }
        int colon = domain.LastIndexOf(':');
        return colon >= 0 ? domain[..colon] : domain;
    }

    private static bool InNetwork(IPAddress ip, IPAddress net, int bits)
    {
        var a = ip.GetAddressBytes();
        var b = net.GetAddressBytes();
        if (a.Length != b.Length || bits < 0 || bits > a.Length * 8) return false;
        for (int i = 0; i < bits; i++)
        {
            int mask = 0x80 >> (i % 8);
            if ((a[i / 8] & mask) != (b[i / 8] & mask)) return false;
        }
        return true;
    }
}
