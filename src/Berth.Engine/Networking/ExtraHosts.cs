using System.Net;

namespace Berth.Engine.Networking;

/// <summary>
/// <c>--add-host</c> and compose's <c>extra_hosts</c>: entries <c>name:address</c> (or <c>name=address</c>)
/// added to a container's /etc/hosts. The address <c>host-gateway</c> stands for the host as the container
/// reaches it: its network's gateway, or loopback on the host's network.
/// </summary>
public static class ExtraHosts
{
    public const string HostGateway = "host-gateway";

    /// <summary>The entry as stored (<c>name:address</c>), or null with docker's reason.</summary>
    public static string? Parse(string value, out string? error)
    {
        error = null;
        int sep = value.IndexOfAny(['=', ':']);
        string name = sep < 0 ? "" : value[..sep].Trim(), address = sep < 0 ? "" : value[(sep + 1)..].Trim().Trim('[', ']');
        if (name.Length == 0 || address.Length == 0 || name.Any(char.IsWhiteSpace))
        {
            error = $"bad format for add-host: \"{value}\"";
            return null;
        }
        bool valid = address == HostGateway || Ipam.Ipv4.TryParse(address, out _)
            || (address.Contains(':') && IPAddress.TryParse(address, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);
        if (!valid)
        {
            error = $"invalid IP address in add-host: \"{address}\"";
            return null;
        }
        return $"{name}:{address}";
    }

    /// <summary>/etc/hosts lines for the entries; <c>host-gateway</c> entries are left out when
    /// <paramref name="gateway"/> is null (a container without a network cannot reach the host).</summary>
    public static string Lines(IEnumerable<string> entries, string? gateway)
    {
        var text = new System.Text.StringBuilder();
        foreach (var entry in entries)
        {
            int colon = entry.IndexOf(':');
            string name = entry[..colon], address = entry[(colon + 1)..];
            if (address == HostGateway)
            {
                if (gateway is null) continue;
                address = gateway;
            }
            text.Append(address).Append('\t').Append(name).Append('\n');
        }
        return text.ToString();
    }
}
