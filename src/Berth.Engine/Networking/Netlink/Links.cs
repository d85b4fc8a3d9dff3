using System.Buffers.Binary;
using Berth.Engine.Networking.Ipam;

namespace Berth.Engine.Networking.Netlink;

/// <summary>A network interface as a link dump shows it.</summary>
internal sealed record LinkInfo(int Index, string Name, string Alias, string Kind);

/// <summary>
/// The rtnetlink requests networking is made of: bridges, veth pairs whose peer is born inside a
/// container's namespace, addresses, routes, and the dumps that reconcile and subnet choice read.
/// </summary>
internal static class Links
{
    private const ushort Create = Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL;
    private const ushort Change = Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK;

    /// <summary>Creates a bridge, labels it with <paramref name="alias"/> (whose it is) and brings it up.</summary>
    public static void CreateBridge(NetlinkSocket s, string name, string alias)
    {
        var create = new NetlinkMessage(Rtnl.RTM_NEWLINK, Create, $"create bridge {name}")
            .IfInfo(Rtnl.AF_UNSPEC, 0, Rtnl.IFF_UP, Rtnl.IFF_UP)
            .Attr(Rtnl.IFLA_IFNAME, name);
        int info = create.Begin(Rtnl.IFLA_LINKINFO);
        create.Attr(Rtnl.IFLA_INFO_KIND, "bridge").End(info);
        var label = new NetlinkMessage(Rtnl.RTM_NEWLINK, Change, $"label bridge {name}")
            .IfInfo(Rtnl.AF_UNSPEC, 0)
            .Attr(Rtnl.IFLA_IFNAME, name)
            .Attr(Rtnl.IFLA_IFALIAS, alias);
        s.Run(create, label);
    }

    /// <summary>
    /// One veth pair: <paramref name="hostName"/> stays here, enslaved to the bridge and up; its peer is
    /// created directly in the network namespace of <paramref name="pid"/> as <paramref name="peerName"/>
    /// with <paramref name="peerMac"/>, down (the kernel refuses to bring a peer up while creating it in
    /// another namespace: ENOTCONN), so <see cref="SetUp"/> follows from inside.
    /// </summary>
    public static void CreateVeth(NetlinkSocket s, string hostName, int bridgeIndex, string peerName, int pid, byte[] peerMac)
    {
        var m = new NetlinkMessage(Rtnl.RTM_NEWLINK, Create, $"create veth {hostName}")
            .IfInfo(Rtnl.AF_UNSPEC, 0, Rtnl.IFF_UP, Rtnl.IFF_UP)
            .Attr(Rtnl.IFLA_IFNAME, hostName)
            .Attr(Rtnl.IFLA_MASTER, (uint)bridgeIndex);
        int info = m.Begin(Rtnl.IFLA_LINKINFO);
        m.Attr(Rtnl.IFLA_INFO_KIND, "veth");
        int data = m.Begin(Rtnl.IFLA_INFO_DATA);
        int peer = m.Begin(Rtnl.VETH_INFO_PEER);
        m.IfInfo(Rtnl.AF_UNSPEC, 0)
            .Attr(Rtnl.IFLA_IFNAME, peerName)
            .Attr(Rtnl.IFLA_ADDRESS, peerMac)
            .Attr(Rtnl.IFLA_NET_NS_PID, (uint)pid);
        m.End(peer).End(data).End(info);
        s.Run(m);
    }

    public static NetlinkMessage SetUp(int index, string what) =>
        new NetlinkMessage(Rtnl.RTM_NEWLINK, Change, what).IfInfo(Rtnl.AF_UNSPEC, index, Rtnl.IFF_UP, Rtnl.IFF_UP);

    public static NetlinkMessage AddAddress(int index, uint address, int prefixLength, string what)
    {
        var subnet = new Ipv4Subnet(address & (prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength)), prefixLength);
        return new NetlinkMessage(Rtnl.RTM_NEWADDR, Create, what)
            .IfAddr(Rtnl.AF_INET, (byte)prefixLength, Rtnl.RT_SCOPE_UNIVERSE, index)
            .Attr(Rtnl.IFA_LOCAL, Ipv4.Bytes(address))
            .Attr(Rtnl.IFA_ADDRESS, Ipv4.Bytes(address))
            .Attr(Rtnl.IFA_BROADCAST, Ipv4.Bytes(subnet.Broadcast));
    }

    public static NetlinkMessage DefaultRoute(int index, uint gateway) =>
        new NetlinkMessage(Rtnl.RTM_NEWROUTE, Create, "add the default route")
            .Rt(Rtnl.AF_INET, 0, Rtnl.RT_TABLE_MAIN, Rtnl.RTPROT_BOOT, Rtnl.RT_SCOPE_UNIVERSE, Rtnl.RTN_UNICAST)
            .Attr(Rtnl.RTA_GATEWAY, Ipv4.Bytes(gateway))
            .Attr(Rtnl.RTA_OIF, (uint)index);

    /// <summary>Deletes a link by name; false when there was none.</summary>
    public static bool Delete(NetlinkSocket s, string name)
    {
        try
        {
            s.Run(new NetlinkMessage(Rtnl.RTM_DELLINK, Change, $"delete {name}").IfInfo(Rtnl.AF_UNSPEC, 0).Attr(Rtnl.IFLA_IFNAME, name));
            return true;
        }
        catch (NetlinkException e) when (e.Errno is 19 /* ENODEV */ or 2 /* ENOENT */)
        {
            return false;
        }
    }

    /// <summary>The index of the named link, or null.</summary>
    public static int? IndexOf(NetlinkSocket s, string name)
    {
        try
        {
            var reply = s.Dump(new NetlinkMessage(Rtnl.RTM_GETLINK, Change, $"look up {name}")
                .IfInfo(Rtnl.AF_UNSPEC, 0).Attr(Rtnl.IFLA_IFNAME, name));
            return reply.Count > 0 ? BinaryPrimitives.ReadInt32LittleEndian(reply[0].Payload.AsSpan(4)) : null;
        }
        catch (NetlinkException e) when (e.Errno is 19 or 2)
        {
            return null;
        }
    }

    public static List<LinkInfo> List(NetlinkSocket s)
    {
        var result = new List<LinkInfo>();
        foreach (var (type, payload) in s.Dump(new NetlinkMessage(Rtnl.RTM_GETLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP, "list links").IfInfo(Rtnl.AF_UNSPEC, 0)))
        {
            if (type != Rtnl.RTM_NEWLINK || payload.Length < 16) continue;
            int index = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(4));
            var attrs = NetlinkAttributes.Parse(payload.AsSpan(16));
            string kind = "";
            if (attrs.TryGetValue(Rtnl.IFLA_LINKINFO, out var info) && NetlinkAttributes.Parse(info).TryGetValue(Rtnl.IFLA_INFO_KIND, out var k))
                kind = NetlinkAttributes.String(k);
            result.Add(new LinkInfo(index,
                attrs.TryGetValue(Rtnl.IFLA_IFNAME, out var n) ? NetlinkAttributes.String(n) : "",
                attrs.TryGetValue(Rtnl.IFLA_IFALIAS, out var a) ? NetlinkAttributes.String(a) : "",
                kind));
        }
        return result;
    }

    /// <summary>Every IPv4 destination in the host's routing tables except default routes and the local
    /// table: the prefixes a new network must not overlap.</summary>
    public static List<Ipv4Subnet> RoutedPrefixes(NetlinkSocket s)
    {
        var result = new List<Ipv4Subnet>();
        foreach (var (type, payload) in s.Dump(new NetlinkMessage(Rtnl.RTM_GETROUTE, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP, "list routes")
                     .Rt(Rtnl.AF_INET, 0, 0, 0, 0, 0)))
        {
            if (type != Rtnl.RTM_NEWROUTE || payload.Length < 12) continue;
            int dstLength = payload[1];
            byte table = payload[4];
            if (dstLength == 0 || table == 255 /* local */) continue;
            var attrs = NetlinkAttributes.Parse(payload.AsSpan(12));
            if (!attrs.TryGetValue(Rtnl.RTA_DST, out var dst) || dst.Length != 4) continue;
            uint a = BinaryPrimitives.ReadUInt32BigEndian(dst);
            uint mask = uint.MaxValue << (32 - dstLength);
            result.Add(new Ipv4Subnet(a & mask, dstLength));
        }
        return result;
    }
}
