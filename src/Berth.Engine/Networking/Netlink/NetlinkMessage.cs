using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Berth.Engine.Networking.Netlink;

/// <summary>
/// One rtnetlink request being built: the 16-byte nlmsghdr, the family header (ifinfomsg, ifaddrmsg,
/// rtmsg) and 4-byte-aligned attributes, nested ones included. <see cref="Finish"/> fills in the length.
/// </summary>
internal sealed class NetlinkMessage
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public NetlinkMessage(ushort type, ushort flags, string what)
    {
        What = what;
        Reserve(16);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(6), flags);
    }

    /// <summary>What this request does, for error messages ("create bridge berth0").</summary>
    public string What { get; }

    public uint Sequence
    {
        get => BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(8));
        set => BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(8), value);
    }

    /// <summary>struct ifinfomsg: family, type, index, flags, change mask.</summary>
    public NetlinkMessage IfInfo(byte family, int index, uint flags = 0, uint change = 0)
    {
        var s = Reserve(16);
        s[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], change);
        return this;
    }

    /// <summary>struct ifaddrmsg: family, prefix length, flags, scope, interface index.</summary>
    public NetlinkMessage IfAddr(byte family, byte prefixLength, byte scope, int index)
    {
        var s = Reserve(8);
        s[0] = family;
        s[1] = prefixLength;
        s[3] = scope;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        return this;
    }

    /// <summary>struct rtmsg: family, destination length, table, protocol, scope, type.</summary>
    public NetlinkMessage Rt(byte family, byte dstLength, byte table, byte protocol, byte scope, byte type)
    {
        var s = Reserve(12);
        s[0] = family;
        s[1] = dstLength;
        s[4] = table;
        s[5] = protocol;
        s[6] = scope;
        s[7] = type;
        return this;
    }

    public NetlinkMessage Attr(ushort type, ReadOnlySpan<byte> value)
    {
        var s = Reserve(Align(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], type);
        value.CopyTo(s[4..]);
        return this;
    }

    public NetlinkMessage Attr(ushort type, string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return Attr(type, bytes);
    }

    public NetlinkMessage Attr(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Attr(type, b);
    }

    public NetlinkMessage Attr(ushort type, IPAddress address) => Attr(type, address.GetAddressBytes());

    /// <summary>Starts a nested attribute; returns its offset for <see cref="End"/>.</summary>
    public int Begin(ushort type)
    {
        int start = _length;
        var s = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], (ushort)(type | Rtnl.NLA_F_NESTED));
        return start;
    }

    public NetlinkMessage End(int start)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(start), (ushort)(_length - start));
        return this;
    }

    /// <summary>The finished message: its total length written into the header.</summary>
    public ReadOnlySpan<byte> Finish()
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)_length);
        return _buffer.AsSpan(0, _length);
    }

    private Span<byte> Reserve(int n)
    {
        if (_length + n > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + n));
        var s = _buffer.AsSpan(_length, n);
        s.Clear();
        _length += n;
        return s;
    }

    public static int Align(int n) => (n + 3) & ~3;
}
