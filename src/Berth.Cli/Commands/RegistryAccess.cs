using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Distribution;
using Berth.Engine.Oci;

namespace Berth.Cli.Commands;

/// <summary>What pull, push, login and logout share: the registry options, server names and Ctrl-C.</summary>
internal static class RegistryAccess
{
    public static OptionSpec InsecureRegistryOption { get; } =
        OptionSpec.List("insecure-registry", "Allow plain HTTP or unverified HTTPS for this registry (host[:port] or CIDR); loopback registries always may");

    public static OptionSpec ContentTrustOption { get; } =
        OptionSpec.Flag("disable-content-trust", "Skip image verification (accepted for docker compatibility; always true)") with { Hidden = true };

    public static Registries Open(ParsedArgs a) => Registries.Default(a.Values("insecure-registry"));

    /// <summary>A server as login/logout take it (<c>host:5000</c>, <c>https://host/v2/</c>, nothing for Docker Hub) as a registry domain.</summary>
    public static string ServerDomain(string? server)
    {
        if (string.IsNullOrWhiteSpace(server)) return ImageReference.DefaultDomain;
        var s = server.Trim();
        if (s.StartsWith("https://", StringComparison.Ordinal)) s = s[8..];
        else if (s.StartsWith("http://", StringComparison.Ordinal)) s = s[7..];
        int slash = s.IndexOf('/');
        if (slash >= 0) s = s[..slash];
        s = s.ToLowerInvariant();
        if (s is "index.docker.io" or "registry-1.docker.io" or "docker.io") return ImageReference.DefaultDomain;
        if (!ImageReference.IsValidDomain(s)) throw new BerthException($"invalid registry \"{server}\": expected host[:port]");
        return s;
    }

    /// <summary>A token that Ctrl-C cancels (a second Ctrl-C ends the process at once).</summary>
    public static CancellationTokenSource CancelOnCtrlC()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (cts.IsCancellationRequested) return;
            e.Cancel = true;
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
        };
        return cts;
    }

    public static int PositiveInt(ParsedArgs a, string name, int @default)
    {
        var v = a.Int(name) ?? @default;
        if (v < 1) throw new UsageException($"invalid argument \"{v}\" for \"--{name}\" flag: must be at least 1", a.CommandPath);
        return v;
    }
}
