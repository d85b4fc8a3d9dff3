using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Berth.Engine.Networking.Dns;

/// <summary>Sends a query the server does not answer itself to the host's resolvers (from the host's
/// /etc/resolv.conf: the server runs in the host's network namespace, so loopback resolvers work), one
/// after the other, each given two seconds; over UDP, or TCP for queries that came over TCP.</summary>
public sealed class DnsForwarder(IReadOnlyList<IPAddress> upstreams)
{
    private static readonly TimeSpan PerServer = TimeSpan.FromSeconds(2);

    public static IReadOnlyList<IPAddress> HostResolvers(string resolvConf = "/etc/resolv.conf")
    {
        var result = new List<IPAddress>();
        try
        {
            foreach (var line in File.ReadLines(resolvConf))
            {
                var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts is ["nameserver", var ip, ..] && IPAddress.TryParse(ip, out var a)) result.Add(a);
            }
        }
        catch (IOException) { }
        return result;
    }

    public async Task<byte[]?> ForwardAsync(byte[] query, bool tcp, CancellationToken cancel)
    {
        foreach (var server in upstreams)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(PerServer);
            try
            {
                return tcp ? await OverTcp(server, query, timeout.Token) : await OverUdp(server, query, timeout.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
                if (cancel.IsCancellationRequested) return null;
            }
        }
        return null;
    }

    private static async Task<byte[]> OverUdp(IPAddress server, byte[] query, CancellationToken cancel)
    {
        using var s = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await s.ConnectAsync(new IPEndPoint(server, 53), cancel);
        await s.SendAsync(query, SocketFlags.None, cancel);
        var buffer = new byte[65535];
        for (;;)
        {
            int n = await s.ReceiveAsync(buffer, SocketFlags.None, cancel);
            // Only the answer to this query (same ID) is taken.
            if (n >= 2 && buffer[0] == query[0] && buffer[1] == query[1]) return buffer[..n];
        }
    }

    private static async Task<byte[]> OverTcp(IPAddress server, byte[] query, CancellationToken cancel)
    {
        using var s = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(new IPEndPoint(server, 53), cancel);
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await s.SendAsync(framed, SocketFlags.None, cancel);
        var length = new byte[2];
        await ReadExactly(s, length, cancel);
        var answer = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        await ReadExactly(s, answer, cancel);
        return answer;
    }

    internal static async Task ReadExactly(Socket s, Memory<byte> buffer, CancellationToken cancel)
    {
        int off = 0;
        while (off < buffer.Length)
        {
            int n = await s.ReceiveAsync(buffer[off..], SocketFlags.None, cancel);
            if (n == 0) throw new IOException("connection closed");
            off += n;
        }
    }
}
