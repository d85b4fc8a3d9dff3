using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Berth.Engine.Deploy.LoadBalancer;

/// <summary>
/// The built-in TCP load balancer of one service: listens on the service's published ports and forwards each
/// new connection round-robin to a replica of the current membership (trying the next one when a connect
/// fails). A replica dropped from the membership gets no new connections; its open ones run to their end
/// (draining), and the open count per replica is reported in the status file so a rollout knows when to stop it.
/// </summary>
public sealed class LbServer : IDisposable
{
    private readonly string _dir;
    private readonly List<Socket> _listeners = [];
    private readonly ConcurrentDictionary<string, int> _active = new();
    private volatile State _state;
    private int _next;
    private int _dirty = 1;

    public LbServer(string dir)
    {
        _dir = dir;
        _state = new State(LbMembership.Read(dir) ?? throw new BerthException($"load balancer: no membership file in {dir}", BerthException.EngineError));
    }

    /// <summary>
    /// A membership and the connections still choosing a backend from it. A new membership is reported only
    /// once none is left choosing from the old one, so every connection to a removed replica is already in
    /// its open count when the rollout starts draining it.
    /// </summary>
    private sealed class State(LbMembership membership)
    {
        public LbMembership Membership { get; } = membership;
        public int Choosing;
    }

    private LbMembership Current => _state.Membership;

    /// <summary>Binds every listener; throws with the address that could not be bound.</summary>
    public void Bind()
    {
        foreach (var l in Current.Listeners)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(l.Address), l.HostPort));
                socket.Listen(512);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                Dispose();
                throw new BerthException($"cannot publish {l.Address}:{l.HostPort}: {e.Message}", BerthException.EngineError);
            }
            _listeners.Add(socket);
        }
    }

    /// <summary>Serves until <paramref name="stop"/> is cancelled, picking up membership changes within ~20 ms.</summary>
    public void Run(CancellationToken stop)
    {
        for (int i = 0; i < _listeners.Count; i++)
        {
            var (socket, listener) = (_listeners[i], Current.Listeners[i]);
            _ = Task.Run(() => AcceptLoop(socket, listener, stop), stop);
        }
        while (!stop.IsCancellationRequested)
        {
            if (LbMembership.Read(_dir) is { } m && m.Generation != Current.Generation)
            {
                var old = _state;
                _state = new State(m);
                SpinWait.SpinUntil(() => Volatile.Read(ref old.Choosing) == 0);
                _dirty = 1;
            }
            if (Interlocked.Exchange(ref _dirty, 0) == 1) WriteStatus();
            stop.WaitHandle.WaitOne(20);
        }
    }

    private void WriteStatus()
    {
        try { new LbStatus(Current.Generation, new Dictionary<string, int>(_active.Where(kv => kv.Value > 0))).Write(_dir); }
        catch (IOException) { _dirty = 1; }
    }

    private async Task AcceptLoop(Socket listener, LbListener spec, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await listener.AcceptAsync(stop); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            _ = Task.Run(() => Serve(client, spec));
        }
    }

    private async Task Serve(Socket client, LbListener spec)
    {
        using (client)
        {
            client.NoDelay = true;
            int start = (int)((uint)Interlocked.Increment(ref _next) & int.MaxValue);
            for (int attempt = 0; ; attempt++)
            {
                var b = Choose(start + attempt, attempt);
                if (b is null) return;
                var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await upstream.ConnectAsync(new IPEndPoint(IPAddress.Parse(b.Address), spec.TargetPort), timeout.Token);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    upstream.Dispose();
                    Release(b);
                    continue;
                }
                try
                {
                    using (upstream) await Pump(client, upstream);
                }
                finally { Release(b); }
                return;
            }
        }
    }

    /// <summary>The backend for this attempt, already counted as open (null when every member was tried).</summary>
    private LbBackend? Choose(int index, int attempt)
    {
        State st;
        for (;;)
        {
            st = _state;
            Interlocked.Increment(ref st.Choosing);
            if (ReferenceEquals(st, _state)) break;
            Interlocked.Decrement(ref st.Choosing);
        }
        try
        {
            var backends = st.Membership.Backends;
            if (attempt >= backends.Count) return null;
            var b = backends[index % backends.Count];
            _active.AddOrUpdate(b.Id, 1, (_, n) => n + 1);
            _dirty = 1;
            return b;
        }
        finally { Interlocked.Decrement(ref st.Choosing); }
    }

    private void Release(LbBackend b)
    {
        _active.AddOrUpdate(b.Id, 0, (_, n) => n - 1);
        _dirty = 1;
    }

    /// <summary>Copies both ways; when one side finishes sending, the other side's sending half is shut.</summary>
    private static async Task Pump(Socket a, Socket b)
    {
        static async Task Copy(Socket from, Socket to)
        {
            var buffer = new byte[16384];
            try
            {
                for (;;)
                {
                    int n = await from.ReceiveAsync(buffer, SocketFlags.None);
                    if (n == 0) break;
                    await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
                }
                to.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException) { TryClose(from, to); }
            catch (ObjectDisposedException) { }
        }
        await Task.WhenAll(Copy(a, b), Copy(b, a));
    }

    private static void TryClose(Socket x, Socket y)
    {
        try { x.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        try { y.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        foreach (var s in _listeners) s.Dispose();
        _listeners.Clear();
    }
}
