using Berth.Engine.Networking.Ipam;
using Berth.Engine.Networking.Netlink;

namespace Berth.Engine.Networking;

/// <summary>The wire between a bridge and a container's network namespace (netlink, no `ip` processes).</summary>
internal static class Veth
{
    /// <summary>
    /// A veth pair: <paramref name="hostIf"/> on <paramref name="n"/>'s bridge, its peer born in the namespace of
    /// <paramref name="pid"/> as <paramref name="containerIf"/> with <paramref name="address"/> (and the default route
    /// through the gateway when <paramref name="defaultRoute"/>). <paramref name="inside"/> is the netlink socket
    /// in that namespace, opened on first need and kept for the caller's next interface.
    /// </summary>
    public static void Plug(NetlinkSocket host, ref NetlinkSocket? inside, Network n, string hostIf, string containerIf, int pid, uint address, bool defaultRoute)
    {
        int bridge = Links.IndexOf(host, n.Bridge) ?? throw new BerthException($"the bridge {n.Bridge} of network {n.Name} is gone", BerthException.EngineError);
        try { Links.CreateVeth(host, hostIf, bridge, containerIf, pid, Ipv4.MacFor(address)); }
        catch (NetlinkException x) when (x.Errno == 17 /* EEXIST: left by a container that crashed */)
        {
            Links.Delete(host, hostIf);
            Links.CreateVeth(host, hostIf, bridge, containerIf, pid, Ipv4.MacFor(address));
        }
        Runtime.Phases.Mark("network: veth created");
        HostNetwork.Hairpin(hostIf);
        inside ??= NetlinkSocket.OpenInNamespaceOf(pid);
        int index = Links.IndexOf(inside, containerIf) ?? throw new BerthException($"{containerIf} did not appear in the container", BerthException.EngineError);
        var requests = new List<NetlinkMessage>
        {
            Links.SetUp(index, $"bring up the container's {containerIf}"),
            Links.AddAddress(index, address, n.SubnetValue.PrefixLength, $"add {Ipv4.Format(address)} to the container's {containerIf}"),
        };
        if (defaultRoute) requests.Add(Links.DefaultRoute(index, n.GatewayValue));
        inside.Run([.. requests]);
    }

    /// <summary>The host side's name: <c>vb</c>, 10 characters of the owner's ID, the position in hex.</summary>
    public static string HostName(string ownerId, int position) =>
        "vb" + ownerId[..10] + position.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
