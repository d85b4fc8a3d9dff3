using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Engine.Containers;
using Berth.Engine.Networking;

namespace Berth.Cli.Commands;

/// <summary>The network parts of docker's container inspect: NetworkSettings, HostConfig.PortBindings, Config.ExposedPorts.</summary>
internal static class ContainerNetworkJson
{
    public static JsonObject Settings(NetworkService networks, Container c)
    {
        var store = networks.Store;
        var endpoints = store.Endpoints(c.Id);
        var byNetwork = new JsonObject();
        JsonObject? primary = null;
        foreach (var e in endpoints)
        {
            var n = store.Get(e.NetworkId);
            if (n is null) continue;
            var entry = new JsonObject
            {
                ["IPAMConfig"] = e.StaticIp.Length > 0 ? new JsonObject { ["IPv4Address"] = e.StaticIp } : null,
                ["Links"] = null,
                ["Aliases"] = n.HasDns ? new JsonArray([.. e.Aliases.Select(a => (JsonNode?)a)]) : null,
                ["MacAddress"] = e.Mac,
                ["NetworkID"] = n.Id,
                ["EndpointID"] = e.EndpointId,
                ["Gateway"] = e.Active ? n.Gateway : "",
                ["IPAddress"] = e.Ip,
                ["IPPrefixLen"] = e.Active ? n.SubnetValue.PrefixLength : 0,
                ["IPv6Gateway"] = "",
                ["GlobalIPv6Address"] = "",
                ["GlobalIPv6PrefixLen"] = 0,
                ["DNSNames"] = n.HasDns ? new JsonArray([c.Name, .. e.Aliases.Select(a => (JsonNode?)a), c.ShortId]) : null,
            };
            byNetwork[n.Name] = entry;
            primary ??= n.IsDefaultBridge ? entry : null;
        }
        if (endpoints.Count == 0 && c.Spec.NetworkMode is "host" or "none")
            byNetwork[c.Spec.NetworkMode] = new JsonObject
            {
                ["NetworkID"] = store.Find(c.Spec.NetworkMode)?.Id ?? "", ["EndpointID"] = "", ["Gateway"] = "", ["IPAddress"] = "", ["IPPrefixLen"] = 0, ["MacAddress"] = "",
            };
        var ports = new JsonObject();
        foreach (var key in c.Spec.ExposedPorts) ports[key] = null;
        foreach (var group in store.Ports(c.Id).GroupBy(p => p.ContainerPort.ToString(CultureInfo.InvariantCulture) + "/" + p.Protocol))
            ports[group.Key] = new JsonArray([.. group.Select(p => (JsonNode?)new JsonObject { ["HostIp"] = p.HostIp, ["HostPort"] = p.HostPort.ToString(CultureInfo.InvariantCulture) })]);
        bool running = c.State == ContainerState.Running;
        return new JsonObject
        {
            ["Bridge"] = "",
            ["SandboxID"] = "",
            ["SandboxKey"] = running && c.Spec.NetworkMode != "host" ? $"/proc/{c.Pid}/ns/net" : "",
            ["Ports"] = ports,
            ["Gateway"] = primary?["Gateway"]?.GetValue<string>() ?? "",
            ["IPAddress"] = primary?["IPAddress"]?.GetValue<string>() ?? "",
            ["IPPrefixLen"] = primary?["IPPrefixLen"]?.GetValue<int>() ?? 0,
            ["MacAddress"] = primary?["MacAddress"]?.GetValue<string>() ?? "",
            ["Networks"] = byNetwork,
        };
    }

    public static JsonObject PortBindings(ContainerSpec s)
    {
        var o = new JsonObject();
        foreach (var group in s.Ports.GroupBy(p => p.Key))
            o[group.Key] = new JsonArray([.. group.Select(p => (JsonNode?)new JsonObject
            {
                ["HostIp"] = p.HostIp == "0.0.0.0" ? "" : p.HostIp,
                ["HostPort"] = p.HostPort == 0 ? "" : p.HostPortEnd > p.HostPort
                    ? $"{p.HostPort.ToString(CultureInfo.InvariantCulture)}-{p.HostPortEnd.ToString(CultureInfo.InvariantCulture)}"
                    : p.HostPort.ToString(CultureInfo.InvariantCulture),
            })]);
        return o;
    }

    public static JsonObject? ExposedPorts(ContainerSpec s) =>
        s.ExposedPorts.Count == 0 ? null : new JsonObject(s.ExposedPorts.Select(p => KeyValuePair.Create(p, (JsonNode?)new JsonObject())));
}
