using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Berth.Engine.Networking.Ipam;

/// <summary>An IPv4 prefix (<c>172.18.0.0/16</c>) with the arithmetic IPAM needs; addresses as host-order uints.</summary>
public readonly record struct Ipv4Subnet(uint Network, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);
    public uint Broadcast => Network | ~Mask;
    public ulong Size => 1UL << (32 - PrefixLength);

    public bool Contains(uint address) => (address & Mask) == Network;

    public bool Overlaps(Ipv4Subnet other)
    {
        int shorter = Math.Min(PrefixLength, other.PrefixLength);
        uint mask = shorter == 0 ? 0 : uint.MaxValue << (32 - shorter);
        return (Network & mask) == (other.Network & mask);
    }

    /// <summary>The first usable address (docker's default gateway).</summary>
    public uint FirstHost => PrefixLength >= 31 ? Network : Network + 1;

    public override string ToString() => $"{Ipv4.Format(Network)}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <c>A.B.C.D/N</c>; host bits must be zero (docker's rule), N from 1 to 30.</summary>
    public static Ipv4Subnet Parse(string text)
    {
        if (!TryParse(text, out var subnet, out var error)) throw new BerthException(error);
        return subnet;
    }

    public static bool TryParse(string text, out Ipv4Subnet subnet, out string error)
    {
        subnet = default;
        int slash = text.IndexOf('/');
        if (slash < 0 || !Ipv4.TryParse(text[..slash], out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > 32)
        {
            error = $"invalid subnet {text}: use an IPv4 CIDR such as 172.20.0.0/16";
            return false;
        }
        if (length is < 1 or > 30)
        {
            error = $"invalid subnet {text}: the prefix length must be between 1 and 30";
            return false;
        }
        var s = new Ipv4Subnet(address, length);
        if ((address & ~s.Mask) != 0)
        {
            error = $"invalid subnet {text}: it should be {new Ipv4Subnet(address & s.Mask, length)}";
            return false;
        }
        subnet = s;
        error = "";
        return true;
    }
}

/// <summary>IPv4 addresses as host-order uints.</summary>
public static class Ipv4
{
    public static bool TryParse(string text, out uint address)
    {
        address = 0;
        if (text.Count(c => c == '.') != 3 || !IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork) return false;
        var b = ip.GetAddressBytes();
        address = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        return true;
    }

    public static uint Parse(string text) =>
        TryParse(text, out var a) ? a : throw new BerthException($"invalid IPv4 address: {text}");

    public static string Format(uint a) =>
        string.Create(CultureInfo.InvariantCulture, $"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}");

    public static IPAddress ToAddress(uint a) => new([(byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a]);

    public static byte[] Bytes(uint a) => [(byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a];

    /// <summary>docker's MAC for a container address: 02:42 followed by the four address bytes.</summary>
    public static byte[] MacFor(uint a) => [0x02, 0x42, (byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a];

    public static string FormatMac(byte[] mac) => string.Join(':', mac.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
