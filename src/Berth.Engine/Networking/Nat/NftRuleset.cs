using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Berth.Engine.Networking.Nat;

/// <summary>
/// Berth's nftables table for one state root (<c>ip berth</c> for /var/lib/berth, <c>ip berth_&lt;hash&gt;</c>
/// otherwise), rendered whole from the database: per network masquerade (unless internal) and isolation
/// from the other berth bridges; published ports as two maps looked up in prerouting and output
/// (so 127.0.0.1 works: route_localnet on the bridge plus masquerade of loopback sources), with hairpin
/// masquerade for a container reaching its own network's published port.
/// </summary>
internal static class NftRuleset
{
    /// <summary>Every berth bridge's name starts with this, across state roots (isolation matches on it).</summary>
    public const string BridgePrefix = "berth";

    public static string TableName(string rootPath) =>
        Path.GetFullPath(rootPath).TrimEnd('/') == StateRoot.DefaultPath
            ? "berth"
            : "berth_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(rootPath).TrimEnd('/'))))[..10];

    /// <summary>The whole table, replacing what was there in one transaction.</summary>
    public static string Render(string table, IEnumerable<Network> networks, IEnumerable<PortMapping> ports)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"table ip {table} {{}}\ndelete table ip {table}\ntable ip {table} {{\n");
        var all = ports.ToList();
        Map(sb, "publish_any", "inet_proto . inet_service", all.Where(p => p.AnyHostAddress).Select(AnyKey));
        Map(sb, "publish_ip", "ipv4_addr . inet_proto . inet_service", all.Where(p => !p.AnyHostAddress).Select(IpKey));
        sb.Append("""
              chain published {
                dnat to ip daddr . meta l4proto . th dport map @publish_ip
                dnat to meta l4proto . th dport map @publish_any
              }
              chain prerouting {
                type nat hook prerouting priority dstnat; policy accept;
                fib daddr type local jump published
              }
              chain output {
                type nat hook output priority -100; policy accept;
                fib daddr type local jump published
              }

            """);
        var bridges = networks.Where(n => n.IsBridge && n.Bridge.Length > 0 && n.Subnet.Length > 0).ToList();
        sb.Append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
        foreach (var n in bridges)
        {
            if (!n.Internal) sb.Append(CultureInfo.InvariantCulture, $"    ip saddr {n.Subnet} oifname != \"{n.Bridge}\" masquerade\n");
            sb.Append(CultureInfo.InvariantCulture, $"    oifname \"{n.Bridge}\" ip saddr 127.0.0.0/8 masquerade\n");
            sb.Append(CultureInfo.InvariantCulture, $"    oifname \"{n.Bridge}\" ct status dnat ip saddr {n.Subnet} masquerade\n");
        }
        sb.Append("  }\n  chain forward {\n    type filter hook forward priority filter; policy accept;\n    ct status dnat accept\n");
        foreach (var n in bridges)
        {
            if (n.Internal)
            {
                sb.Append(CultureInfo.InvariantCulture, $"    iifname \"{n.Bridge}\" oifname != \"{n.Bridge}\" drop\n");
                sb.Append(CultureInfo.InvariantCulture, $"    oifname \"{n.Bridge}\" iifname != \"{n.Bridge}\" drop\n");
            }
            else sb.Append(CultureInfo.InvariantCulture, $"    iifname \"{n.Bridge}\" oifname != \"{n.Bridge}\" oifname \"{BridgePrefix}*\" drop\n");
        }
        sb.Append("  }\n}\n");
        return sb.ToString();
    }

    public static string AddPorts(string table, IEnumerable<PortMapping> ports) => Elements("add", table, ports, withValues: true);

    public static string RemovePorts(string table, IEnumerable<PortMapping> ports) => Elements("delete", table, ports, withValues: false);

    public static string DeleteTable(string table) => $"table ip {table} {{}}\ndelete table ip {table}\n";

    private static string Elements(string verb, string table, IEnumerable<PortMapping> ports, bool withValues)
    {
        var sb = new StringBuilder();
        foreach (var p in ports)
        {
            var (map, key) = p.AnyHostAddress ? ("publish_any", AnyKey(p)) : ("publish_ip", IpKey(p));
            if (!withValues) key = key[..key.IndexOf(" : ", StringComparison.Ordinal)];
            sb.Append(CultureInfo.InvariantCulture, $"{verb} element ip {table} {map} {{ {key} }}\n");
        }
        return sb.ToString();
    }

    private static void Map(StringBuilder sb, string name, string keyType, IEnumerable<string> elements)
    {
        var list = elements.ToList();
        sb.Append(CultureInfo.InvariantCulture, $"  map {name} {{\n    type {keyType} : ipv4_addr . inet_service\n");
        if (list.Count > 0) sb.Append("    elements = { ").Append(string.Join(", ", list)).Append(" }\n");
        sb.Append("  }\n");
    }

    private static string AnyKey(PortMapping p) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.Protocol} . {p.HostPort} : {p.ContainerIp} . {p.ContainerPort}");

    private static string IpKey(PortMapping p) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.HostIp} . {p.Protocol} . {p.HostPort} : {p.ContainerIp} . {p.ContainerPort}");
}
