using System.Runtime.InteropServices;
using Berth.Engine.Networking.Ipam;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Networking.Ports;

/// <summary>
/// Host ports a running container publishes are held by its monitor as bound, never-listening sockets
/// without SO_REUSEADDR (the BCL's Socket sets it on bind, hence raw sockets): nothing else on the host
/// can take them, a second container asking for one gets EADDRINUSE, and they are freed when the
/// container stops or its monitor dies. Traffic never reaches them: nftables rewrites it to the container
/// first.
/// </summary>
internal static unsafe partial class PortReservations
{
    private const int AF_INET = 2, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
    private const int EADDRINUSE = 98, EADDRNOTAVAIL = 99;
    private static readonly Dictionary<string, List<int>> s_held = [];

    /// <summary>Binds a host port for each binding; returns the mappings (random ports resolved). On any
    /// failure, what was bound is released and the error names the port.</summary>
    public static List<PortMapping> Reserve(string containerId, string containerIp, IEnumerable<PortBinding> bindings)
    {
        var fds = new List<int>();
        var mappings = new List<PortMapping>();
        try
        {
            foreach (var b in bindings)
            {
                var (fd, port) = Bind(b);
                fds.Add(fd);
                mappings.Add(new PortMapping
                {
                    ContainerId = containerId, Protocol = b.Protocol, HostIp = b.HostIp, HostPort = port,
                    ContainerPort = b.ContainerPort, ContainerIp = containerIp,
                });
            }
        }
        catch
        {
            foreach (var fd in fds) Libc.close(fd);
            throw;
        }
        lock (s_held)
        {
            if (s_held.TryGetValue(containerId, out var old)) old.AddRange(fds);
            else s_held[containerId] = fds;
        }
        return mappings;
    }

    public static void Release(string containerId)
    {
        List<int>? fds;
        lock (s_held)
            if (!s_held.Remove(containerId, out fds)) return;
        foreach (var fd in fds) Libc.close(fd);
    }

    private static (int Fd, int Port) Bind(PortBinding b)
    {
        uint address = Ipv4.Parse(b.HostIp);
        int first = b.HostPort, last = Math.Max(b.HostPort, b.HostPortEnd);
        int errno = 0;
        byte* sa = stackalloc byte[16];
        for (int port = first; port <= last; port++)
        {
            int fd = Libc.socket(AF_INET, (b.Protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new BerthException($"cannot open a socket: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
            fd = Fds.Lift(fd);
            new Span<byte>(sa, 16).Clear();
            sa[0] = AF_INET;
            sa[2] = (byte)(port >> 8);
            sa[3] = (byte)port;
            sa[4] = (byte)(address >> 24); sa[5] = (byte)(address >> 16); sa[6] = (byte)(address >> 8); sa[7] = (byte)address;
            if (Libc.bind(fd, sa, 16) == 0)
            {
                int len = 16;
                getsockname(fd, sa, &len);
                return (fd, sa[2] << 8 | sa[3]);
            }
            errno = Libc.Errno;
            Libc.close(fd);
        }
        var where = first == 0 ? $"{b.HostIp}:(any port)" : last > first ? $"{b.HostIp}:{first}-{last}" : $"{b.HostIp}:{first}";
        throw errno switch
        {
            EADDRINUSE => new BerthException($"Bind for {where}/{b.Protocol} failed: port is already allocated"),
            EADDRNOTAVAIL => new BerthException($"Bind for {where}/{b.Protocol} failed: {b.HostIp} is not an address of this host"),
            _ => new BerthException($"Bind for {where}/{b.Protocol} failed: {Libc.Error(errno)}", BerthException.EngineError),
        };
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getsockname(int fd, byte* addr, int* len);
}
