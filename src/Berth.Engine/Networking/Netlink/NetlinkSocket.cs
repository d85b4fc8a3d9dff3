using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Networking.Netlink;

/// <summary>A kernel error answered to one rtnetlink request.</summary>
internal sealed class NetlinkException(string message, int errno) : BerthException(message, EngineError)
{
    public int Errno { get; } = errno;
}

/// <summary>
/// A NETLINK_ROUTE socket in the host's network namespace or in a container's. Requests go out in one
/// send (several messages back to back) and every one is acknowledged; dumps collect the multipart reply.
/// </summary>
internal sealed unsafe partial class NetlinkSocket : IDisposable
{
    private const int CLONE_NEWNET = 0x40000000;
    private int _fd;
    private uint _seq = (uint)Environment.TickCount;
    private readonly byte[] _receive = new byte[1 << 16];

    private NetlinkSocket(int fd) => _fd = fd;

    public static NetlinkSocket Open()
    {
        int fd = socket(Rtnl.AF_NETLINK, Rtnl.SOCK_RAW | Rtnl.SOCK_CLOEXEC, Rtnl.NETLINK_ROUTE);
        if (fd < 0) throw new BerthException($"cannot open a netlink socket: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
        return new NetlinkSocket(Fds.Lift(fd));
    }

    /// <summary>
    /// A socket bound to the network namespace of <paramref name="pid"/>: this thread enters that namespace
    /// (setns with CLONE_NEWNET is allowed in a multi-threaded process), opens the socket, and returns to
    /// its own namespace at once. A socket stays in the namespace it was made in.
    /// </summary>
    public static NetlinkSocket OpenInNamespaceOf(int pid)
    {
        int self = Libc.open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (self < 0) throw new BerthException($"cannot open this thread's network namespace: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
        int target = -1;
        try
        {
            target = Libc.open($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            if (target < 0) throw new BerthException($"cannot open the network namespace of process {pid}: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
            if (setns(target, CLONE_NEWNET) != 0)
                throw new BerthException($"cannot enter the network namespace of process {pid}: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
            int fd = socket(Rtnl.AF_NETLINK, Rtnl.SOCK_RAW | Rtnl.SOCK_CLOEXEC, Rtnl.NETLINK_ROUTE);
            int err = Libc.Errno;
            if (setns(self, CLONE_NEWNET) != 0) Environment.FailFast("berth: cannot return to the host network namespace");
            if (fd < 0) throw new BerthException($"cannot open a netlink socket in the container's namespace: {Libc.Error(err)}", BerthException.EngineError);
            return new NetlinkSocket(Fds.Lift(fd));
        }
        finally
        {
            if (target >= 0) Libc.close(target);
            Libc.close(self);
        }
    }

    /// <summary>Sends the requests in one write and waits for every acknowledgement; throws the first error.</summary>
    public void Run(params NetlinkMessage[] requests)
    {
        var all = new List<byte>();
        var pending = new Dictionary<uint, NetlinkMessage>();
        foreach (var r in requests)
        {
            r.Sequence = ++_seq;
            pending[r.Sequence] = r;
            all.AddRange(r.Finish());
        }
        Send(all.ToArray());
        NetlinkException? first = null;
        while (pending.Count > 0)
        {
            int n = Receive();
            for (int off = 0; off + 16 <= n;)
            {
                var msg = _receive.AsSpan(off, n - off);
                int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(msg);
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(msg[4..]);
                uint seq = BinaryPrimitives.ReadUInt32LittleEndian(msg[8..]);
                if (len < 16 || len > msg.Length) break;
                if (type == Rtnl.NLMSG_ERROR && pending.Remove(seq, out var request))
                {
                    int error = -BinaryPrimitives.ReadInt32LittleEndian(msg[16..]);
                    if (error != 0) first ??= new NetlinkException($"{request.What}: {Libc.Error(error)}", error);
                }
                off += NetlinkMessage.Align(len);
            }
        }
        if (first is not null) throw first;
    }

    /// <summary>A dump request (RTM_GET* with NLM_F_DUMP): every message of the reply, headers stripped.</summary>
    public List<(ushort Type, byte[] Payload)> Dump(NetlinkMessage request)
    {
        request.Sequence = ++_seq;
        Send(request.Finish());
        var result = new List<(ushort, byte[])>();
        for (;;)
        {
            int n = Receive();
            for (int off = 0; off + 16 <= n;)
            {
                var msg = _receive.AsSpan(off, n - off);
                int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(msg);
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(msg[4..]);
                uint seq = BinaryPrimitives.ReadUInt32LittleEndian(msg[8..]);
                if (len < 16 || len > msg.Length) return result;
                if (seq == request.Sequence)
                {
                    if (type == Rtnl.NLMSG_DONE) return result;
                    if (type == Rtnl.NLMSG_ERROR)
                    {
                        int error = -BinaryPrimitives.ReadInt32LittleEndian(msg[16..]);
                        if (error == 0) return result;
                        throw new NetlinkException($"{request.What}: {Libc.Error(error)}", error);
                    }
                    result.Add((type, msg[16..len].ToArray()));
                }
                off += NetlinkMessage.Align(len);
            }
        }
    }

    private void Send(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            for (;;)
            {
                nint n = Libc.send(_fd, p, data.Length, 0);
                if (n == data.Length) return;
                if (n < 0 && Libc.Errno == Libc.EINTR) continue;
                throw new BerthException($"netlink send: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
            }
        }
    }

    private int Receive()
    {
        fixed (byte* p = _receive)
        {
            for (;;)
            {
                nint n = recv(_fd, p, _receive.Length, 0);
                if (n >= 0) return (int)n;
                if (Libc.Errno == Libc.EINTR) continue;
                throw new BerthException($"netlink receive: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
            }
        }
    }

    public void Dispose()
    {
        if (_fd >= 0) Libc.close(_fd);
        _fd = -1;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte* buf, nint len, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);
}

/// <summary>Reads the attributes of a netlink reply payload (after its family header).</summary>
internal static class NetlinkAttributes
{
    public static Dictionary<ushort, byte[]> Parse(ReadOnlySpan<byte> data)
    {
        var result = new Dictionary<ushort, byte[]>();
        int off = 0;
        while (off + 4 <= data.Length)
        {
            int len = BinaryPrimitives.ReadUInt16LittleEndian(data[off..]);
            ushort type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(data[(off + 2)..]) & Rtnl.NLA_TYPE_MASK);
            if (len < 4 || off + len > data.Length) break;
            result.TryAdd(type, data.Slice(off + 4, len - 4).ToArray());
            off += NetlinkMessage.Align(len);
        }
        return result;
    }

    public static string String(byte[] value) => System.Text.Encoding.UTF8.GetString(value).TrimEnd('\0');
}
