namespace Berth.Engine.Networking.Netlink;

/// <summary>The rtnetlink numbers Berth uses (linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h, veth.h).</summary>
internal static class Rtnl
{
    public const int AF_NETLINK = 16, NETLINK_ROUTE = 0, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    public const byte AF_UNSPEC = 0, AF_INET = 2;

    public const ushort NLMSG_ERROR = 2, NLMSG_DONE = 3;
    public const ushort NLM_F_REQUEST = 1, NLM_F_MULTI = 2, NLM_F_ACK = 4, NLM_F_DUMP = 0x300,
        NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;
    public const ushort NLA_F_NESTED = 0x8000, NLA_TYPE_MASK = 0x3fff;

    public const ushort RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18,
        RTM_NEWADDR = 20, RTM_GETADDR = 22, RTM_NEWROUTE = 24, RTM_GETROUTE = 26;

    public const ushort IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_MASTER = 10, IFLA_LINKINFO = 18,
        IFLA_NET_NS_PID = 19, IFLA_IFALIAS = 20;
    public const ushort IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
    public const ushort VETH_INFO_PEER = 1;
    public const uint IFF_UP = 1;

    public const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_BROADCAST = 4;

    public const ushort RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_TABLE = 15;
    public const byte RT_TABLE_MAIN = 254, RTPROT_BOOT = 3, RT_SCOPE_UNIVERSE = 0, RTN_UNICAST = 1;
}
