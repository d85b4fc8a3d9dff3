using System.Globalization;
using Berth.Engine.Networking.Ipam;

namespace Berth.Engine.Networking.Ports;

/// <summary>
/// One published container port as asked for (-p, -P): protocol, container port, host address
/// (0.0.0.0 = all) and host port or range (0 = any free port, chosen at each start).
/// </summary>
public sealed record PortBinding
{
    public required string Protocol { get; init; }
    public required int ContainerPort { get; init; }
    public string HostIp { get; init; } = "0.0.0.0";
    public int HostPort { get; init; }
    /// <summary>The last port of a host range (8000-8010:80), else equal to <see cref="HostPort"/>.</summary>
    public int HostPortEnd { get; init; }

    public string Key => ContainerPort.ToString(CultureInfo.InvariantCulture) + "/" + Protocol;

    /// <summary>docker's -p syntax: <c>[IP:][HOST[-END]:]CTR[-END][/tcp|udp]</c>.</summary>
    public static List<PortBinding> Parse(string spec)
    {
        string rest = spec, protocol = "tcp";
        int slash = rest.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = rest[(slash + 1)..].ToLowerInvariant();
            rest = rest[..slash];
            if (protocol is not ("tcp" or "udp")) throw Invalid(spec, $"unsupported protocol '{protocol}' (use tcp or udp)");
        }
        if (rest.StartsWith('[')) throw Invalid(spec, "IPv6 host addresses are not supported");
        var parts = rest.Split(':');
        string hostIp = "0.0.0.0", hostPart = "", containerPart;
        switch (parts.Length)
        {
            case 1: containerPart = parts[0]; break;
            case 2: hostPart = parts[0]; containerPart = parts[1]; break;
            case 3: hostIp = parts[0].Length > 0 ? parts[0] : "0.0.0.0"; hostPart = parts[1]; containerPart = parts[2]; break;
            default: throw Invalid(spec, "too many colons");
        }
        if (!Ipv4.TryParse(hostIp, out _)) throw Invalid(spec, $"invalid IP address '{hostIp}'");
        var (cStart, cEnd) = Range(containerPart, spec, "container port", allowEmpty: false);
        var (hStart, hEnd) = Range(hostPart, spec, "host port", allowEmpty: true);
        int count = cEnd - cStart + 1;
        var result = new List<PortBinding>();
        if (hStart != 0 && count > 1 && hEnd - hStart + 1 != count)
            throw Invalid(spec, "the host and container port ranges differ in size");
        for (int i = 0; i < count; i++)
        {
            int hp = hStart == 0 ? 0 : count > 1 ? hStart + i : hStart;
            int he = hStart == 0 ? 0 : count > 1 ? hStart + i : hEnd;
            result.Add(new PortBinding { Protocol = protocol, ContainerPort = cStart + i, HostIp = hostIp, HostPort = hp, HostPortEnd = he });
        }
        return result;
    }

    /// <summary>An EXPOSE entry (<c>80/tcp</c>, <c>53/udp</c>, <c>8080</c>) as a binding to a random host port (-P).</summary>
    public static PortBinding Exposed(string entry)
    {
        var slash = entry.IndexOf('/');
        var port = slash < 0 ? entry : entry[..slash];
        var protocol = slash < 0 ? "tcp" : entry[(slash + 1)..].ToLowerInvariant();
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535 || protocol is not ("tcp" or "udp"))
            throw new BerthException($"invalid exposed port '{entry}'");
        return new PortBinding { Protocol = protocol, ContainerPort = p };
    }

    private static (int, int) Range(string text, string spec, string what, bool allowEmpty)
    {
        if (text.Length == 0)
        {
            if (allowEmpty) return (0, 0);
            throw Invalid(spec, $"no {what}");
        }
        int dash = text.IndexOf('-');
        int start = Port(dash < 0 ? text : text[..dash], spec, what);
        int end = dash < 0 ? start : Port(text[(dash + 1)..], spec, what);
        if (end < start) throw Invalid(spec, $"invalid {what} range {text}");
        return (start, end);
    }

    private static int Port(string text, string spec, string what) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535
            ? p : throw Invalid(spec, $"invalid {what} '{text}' (1-65535)");

    private static BerthException Invalid(string spec, string why) => new($"invalid port spec '{spec}': {why}");
}
