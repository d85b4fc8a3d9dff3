namespace Berth.Engine.Networking;

/// <summary>
/// A container's /etc/resolv.conf. On a user-defined network: the embedded server on the gateway, the
/// host's search domains and options, and ndots:0 (docker's rule, so a bare container name is asked as
/// is first). On the default bridge: the host's resolvers without loopback ones (unreachable from the
/// container's namespace), Google's if none remain. --dns servers replace the host's, --dns-search its
/// search domains ("." for none) and --dns-option its options.
/// </summary>
public static class ResolvConf
{
    public static string For(string? embeddedServer, IReadOnlyList<string> dns, IReadOnlyList<string> search, IReadOnlyList<string> options,
        string hostFile = "/etc/resolv.conf")
    {
        var lines = File.Exists(hostFile) ? File.ReadAllLines(hostFile).ToList() : [];
        var servers = lines.Select(Server).Where(s => s is not null).Select(s => s!).ToList();
        var rest = lines.Where(l => Server(l) is null && !l.TrimStart().StartsWith('#') && l.Trim().Length > 0).ToList();
        var domains = search.Count > 0
            ? (search is ["."] ? [] : ["search " + string.Join(' ', search)])
            : rest.Where(l => !IsOptions(l)).ToList();
        var hostOptions = rest.Where(IsOptions).SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)).ToList();
        var result = new List<string>();
        if (embeddedServer is not null)
        {
            result.Add("nameserver " + embeddedServer);
            result.AddRange(dns.Select(d => "nameserver " + d));
            result.AddRange(domains);
            var chosen = options.Count > 0 ? [.. options] : hostOptions.Where(o => !o.StartsWith("ndots:", StringComparison.Ordinal)).ToList();
            if (!chosen.Any(o => o.StartsWith("ndots:", StringComparison.Ordinal))) chosen.Insert(0, "ndots:0");
            result.Add("options " + string.Join(' ', chosen));
            return string.Join('\n', result) + "\n";
        }
        if (dns.Count > 0) servers = [.. dns];
        else servers.RemoveAll(s => s.StartsWith("127.", StringComparison.Ordinal) || s == "::1");
        if (servers.Count == 0) servers = ["8.8.8.8", "8.8.4.4"];
        result.AddRange(servers.Select(s => "nameserver " + s));
        result.AddRange(domains);
        var kept = options.Count > 0 ? options : hostOptions;
        if (kept.Count > 0) result.Add("options " + string.Join(' ', kept));
        return string.Join('\n', result) + "\n";
    }

    private static bool IsOptions(string line) => line.StartsWith("options", StringComparison.Ordinal);

    private static string? Server(string line) =>
        line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is ["nameserver", var ip, ..] ? ip : null;

    /// <summary>docker's /etc/hosts: localhost lines, the --add-host entries (<paramref name="gateway"/> is
    /// what host-gateway stands for), then the container's address and hostname.</summary>
    public static string Hosts(string? address, string hostname, IReadOnlyList<string> extraHosts, string? gateway) =>
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
        + ExtraHosts.Lines(extraHosts, gateway)
        + (address is null ? "" : $"{address}\t{hostname}\n");
}
