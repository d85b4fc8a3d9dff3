using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Berth.Engine.Networking.Ipam;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Networking.Dns;

/// <summary>
/// The embedded DNS server of a state root, like podman's aardvark-dns: one process (<c>berth __berth-dns</c>)
/// serving every user-defined network on its gateway address, UDP and TCP port 53. It reads names from the
/// metadata database and reloads them whenever the database changed (SQLite's data_version, checked per
/// query), so a container is resolvable the moment its endpoint is recorded, before its payload runs.
/// Started by the first command that needs it; told to reload over <c>network/dns.sock</c> when networks
/// come and go; exits when no network needs it or its state root is gone.
/// </summary>
public sealed class DnsServer(StateRoot root)
{
    private sealed record Listener(string NetworkId, Ipv4Subnet Subnet, uint Gateway, Socket Udp, Socket Tcp, CancellationTokenSource Stop);

    private readonly DnsPaths _paths = new(root.Path);
    private readonly NetworkStore _store = new(root.Db);
    private readonly object _gate = new();
    private readonly Dictionary<string, Listener> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private DnsRecords _records = new([], new Dictionary<string, string>());
    private long _dataVersion = -1;
    private DnsForwarder _forwarder = new([]);
    private readonly Dictionary<string, int> _rotation = new(StringComparer.Ordinal);

    /// <summary>Serves until nothing needs it. Tells the starter "S" (serving) or "E message" on <paramref name="notifyFd"/>.</summary>
    public int Run(int notifyFd)
    {
        Socket? control = null;
        try
        {
            Directory.CreateDirectory(_paths.Dir);
            Reload();
            File.Delete(_paths.Socket);
            control = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            control.Bind(new UnixDomainSocketEndPoint(_paths.Socket));
            control.Listen(16);
            Util.AtomicFile.WriteAllText(_paths.Pid, string.Create(CultureInfo.InvariantCulture,
                $"{Environment.ProcessId} {ChildProcess.StartTime(Environment.ProcessId)}\n"));
        }
        catch (Exception e) when (e is BerthException or SocketException or IOException)
        {
            Notify(notifyFd, "E " + e.Message.Replace('\n', ' '));
            control?.Dispose();
            CloseAll();
            return 1;
        }
        Notify(notifyFd, "S");
        try
        {
            if (_listeners.Count > 0)
                Task.WhenAny(ControlLoop(control), WatchRoot(), Task.Delay(Timeout.Infinite, _stop.Token)).GetAwaiter().GetResult();
        }
        finally
        {
            control.Dispose();
            CloseAll();
            if (_paths.ReadPid() is { } p && p.Pid == Environment.ProcessId)
            {
                File.Delete(_paths.Pid);
                File.Delete(_paths.Socket);
            }
        }
        return 0;
    }

    private static void Notify(int fd, string message)
    {
        if (fd < 0) return;
        Fds.WriteAll(fd, Encoding.UTF8.GetBytes(message + "\n"));
        Libc.close(fd);
    }

    /// <summary>Listens on the gateway of every user-defined network whose bridge is up; stops listening
    /// for networks that are gone. Throws when a gateway's port 53 cannot be bound.</summary>
    private void Reload()
    {
        var wanted = _store.List().Where(n => n.HasDns && n.Gateway.Length > 0 && Directory.Exists("/sys/class/net/" + n.Bridge)).ToList();
        lock (_gate)
        {
            foreach (var gone in _listeners.Keys.Where(id => !wanted.Any(n => n.Id == id)).ToList())
            {
                Close(_listeners[gone]);
                _listeners.Remove(gone);
            }
            foreach (var n in wanted)
            {
                if (_listeners.TryGetValue(n.Id, out var have) && have.Gateway == n.GatewayValue) continue;
                if (have is not null) { Close(have); _listeners.Remove(n.Id); }
                var listener = Listen(n);
                _listeners[n.Id] = listener;
                _ = UdpLoop(listener);
                _ = TcpLoop(listener);
            }
            _forwarder = new DnsForwarder(DnsForwarder.HostResolvers());
            _dataVersion = -1;
        }
    }

    private static Listener Listen(Network n)
    {
        var endpoint = new IPEndPoint(Ipv4.ToAddress(n.GatewayValue), 53);
        var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            udp.Bind(endpoint);
            tcp.Bind(endpoint);
            tcp.Listen(64);
        }
        catch (SocketException e)
        {
            udp.Dispose();
            tcp.Dispose();
            throw new BerthException($"cannot serve DNS for network {n.Name} on {endpoint}: {e.Message}", BerthException.EngineError);
        }
        return new Listener(n.Id, n.SubnetValue, n.GatewayValue, udp, tcp, new CancellationTokenSource());
    }

    private static void Close(Listener l)
    {
        l.Stop.Cancel();
        l.Udp.Dispose();
        l.Tcp.Dispose();
    }

    private void CloseAll()
    {
        lock (_gate)
        {
            foreach (var l in _listeners.Values) Close(l);
            _listeners.Clear();
        }
    }

    private async Task UdpLoop(Listener l)
    {
        var buffer = new byte[4096];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!l.Stop.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try { r = await l.Udp.ReceiveFromAsync(buffer, SocketFlags.None, any, l.Stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            _ = Reply(l, (IPEndPoint)r.RemoteEndPoint, buffer[..r.ReceivedBytes]);
        }
    }

    private async Task Reply(Listener l, IPEndPoint client, byte[] query)
    {
        try
        {
            if (await Answer(l, client, query, tcp: false) is { } answer)
                await l.Udp.SendToAsync(answer, SocketFlags.None, client);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException) { }
    }

    private async Task TcpLoop(Listener l)
    {
        while (!l.Stop.IsCancellationRequested)
        {
            Socket connection;
            try { connection = await l.Tcp.AcceptAsync(l.Stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            _ = ServeTcp(l, connection);
        }
    }

    private async Task ServeTcp(Listener l, Socket s)
    {
        using var _ = s;
        var client = (IPEndPoint)s.RemoteEndPoint!;
        try
        {
            var length = new byte[2];
            for (;;)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(l.Stop.Token);
                idle.CancelAfter(TimeSpan.FromSeconds(10));
                await DnsForwarder.ReadExactly(s, length, idle.Token);
                var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                await DnsForwarder.ReadExactly(s, query, idle.Token);
                if (await Answer(l, client, query, tcp: true) is not { } answer) return;
                var framed = new byte[answer.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
                answer.CopyTo(framed, 2);
                await s.SendAsync(framed, SocketFlags.None, idle.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
    }

    private async Task<byte[]?> Answer(Listener l, IPEndPoint client, byte[] query, bool tcp)
    {
        if (!Ipv4.TryParse(client.Address.ToString(), out var from) || !l.Subnet.Contains(from))
            return DnsMessage.Error(query, DnsMessage.Refused);
        if (DnsMessage.ParseQuery(query) is not { } q) return DnsMessage.Error(query, DnsMessage.FormErr);
        if (q.Opcode != 0) return DnsMessage.Error(query, DnsMessage.NotImp);
        (DnsOutcome Outcome, List<uint> Addresses, string? Ptr) result;
        DnsForwarder forwarder;
        lock (_gate)
        {
            Refresh();
            result = _records.Resolve(l.NetworkId, from, q.Name, q.Type);
            forwarder = _forwarder;
        }
        return result.Outcome switch
        {
            DnsOutcome.Answer => DnsMessage.Answer(query, q, DnsMessage.NoError, result.Addresses, result.Ptr),
            DnsOutcome.NxDomain => DnsMessage.Answer(query, q, DnsMessage.NxDomain, []),
            _ => await forwarder.ForwardAsync(query, tcp, _stop.Token) ?? DnsMessage.Answer(query, q, DnsMessage.ServFail, []),
        };
    }

    /// <summary>Reloads the names when another process changed the database since the last look.</summary>
    private void Refresh()
    {
        long version = Convert.ToInt64(_store.Db.Scalar("PRAGMA data_version"), CultureInfo.InvariantCulture);
        if (version == _dataVersion) return;
        var names = _store.List().ToDictionary(n => n.Id, n => n.Name);
        if (_rotation.Count > 10_000) _rotation.Clear();
        _records = new DnsRecords(_store.DnsEntries(), names, _rotation);
        _dataVersion = version;
    }

    /// <summary>One line per connection: "reload" (answers "ok N", N networks served, and exits after
    /// answering when N is 0) or "stop".</summary>
    private async Task ControlLoop(Socket control)
    {
        for (;;)
        {
            using var s = await control.AcceptAsync(_stop.Token);
            var buffer = new byte[64];
            int n;
            try { n = await s.ReceiveAsync(buffer, SocketFlags.None, _stop.Token); }
            catch (SocketException) { continue; }
            var command = Encoding.ASCII.GetString(buffer, 0, n).Trim();
            string reply;
            try
            {
                if (command == "stop") { _stop.Cancel(); return; }
                Reload();
                lock (_gate) reply = "ok " + _listeners.Count.ToString(CultureInfo.InvariantCulture);
            }
            catch (BerthException e) { reply = "E " + e.Message; }
            try { await s.SendAsync(Encoding.UTF8.GetBytes(reply + "\n"), SocketFlags.None); }
            catch (SocketException) { }
            lock (_gate)
                if (_listeners.Count == 0) return;
        }
    }

    /// <summary>Ends the server once its state root is removed (a test's temporary root, say).</summary>
    private async Task WatchRoot()
    {
        var db = Path.Combine(root.Path, "berth.db");
        while (File.Exists(db)) await Task.Delay(TimeSpan.FromSeconds(2), _stop.Token);
    }
}
