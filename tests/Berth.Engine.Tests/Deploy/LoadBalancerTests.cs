using System.Net;
using System.Net.Sockets;
using System.Text;
using Berth.Engine.Deploy.LoadBalancer;

namespace Berth.Engine.Tests.Deploy;

/// <summary>The balancer in-process, in front of small TCP servers that answer with their name.</summary>
public sealed class LoadBalancerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-lb-").FullName;
    private readonly List<TcpListener> _backends = [];
    private readonly CancellationTokenSource _stop = new();

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var b in _backends) b.Stop();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A backend on 127.0.0.N that answers each connection with its name after <paramref name="delay"/>.</summary>
    private (string Address, int Port) Backend(string name, int n, TimeSpan delay = default)
    {
        var l = new TcpListener(IPAddress.Parse($"127.0.0.{n}"), 0);
        l.Start();
        _backends.Add(l);
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient c;
                try { c = await l.AcceptTcpClientAsync(_stop.Token); } catch { return; }
                _ = Task.Run(async () =>
                {
                    using (c)
                    {
                        await Task.Delay(delay);
                        await c.GetStream().WriteAsync(Encoding.ASCII.GetBytes(name));
                    }
                });
            }
        });
        return ($"127.0.0.{n}", ((IPEndPoint)l.LocalEndpoint).Port);
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int p = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return p;
    }

    private static string Get(int port)
    {
        using var c = new TcpClient();
        c.Connect(IPAddress.Loopback, port);
        using var r = new StreamReader(c.GetStream());
        return r.ReadToEnd();
    }

    private (LbServer Server, int Port, Task Loop) Start(int targetPort, params LbBackend[] backends)
    {
        int port = FreePort();
        new LbMembership(1, [new LbListener("127.0.0.1", port, targetPort)], backends).Write(_dir);
        var server = new LbServer(_dir);
        server.Bind();
        var loop = Task.Run(() => server.Run(_stop.Token));
        return (server, port, loop);
    }

    [Fact]
    public void Round_robin_over_the_members_and_a_switch_without_restart()
    {
        var a = Backend("a", 2);
        var b = Backend("b", 3, TimeSpan.Zero);
        // Both backends listen on their own port; the balancer uses one target port, so give them the same one.
        var c = new TcpListener(IPAddress.Parse("127.0.0.3"), a.Port);
        c.Start();
        _backends.Add(c);
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient x;
                try { x = await c.AcceptTcpClientAsync(_stop.Token); } catch { return; }
                using (x) await x.GetStream().WriteAsync("b"u8.ToArray());
            }
        });
        var (server, port, _) = Start(a.Port, new LbBackend("A", a.Address), new LbBackend("B", "127.0.0.3"));
        using (server)
        {
            var seen = Enumerable.Range(0, 6).Select(_ => Get(port)).ToList();
            Assert.Equal(3, seen.Count(s => s == "a"));
            Assert.Equal(3, seen.Count(s => s == "b"));
            LbProcess.SetBackends(_dir, [new LbBackend("B", "127.0.0.3")], running: true);
            Assert.Equal(2, LbStatus.Read(_dir)!.Generation);
            Assert.All(Enumerable.Range(0, 4).Select(_ => Get(port)), s => Assert.Equal("b", s));
        }
    }

    [Fact]
    public void A_member_that_refuses_is_skipped()
    {
        var a = Backend("a", 2);
        var (server, port, _) = Start(a.Port, new LbBackend("dead", "127.0.0.9"), new LbBackend("A", a.Address));
        using (server)
            Assert.All(Enumerable.Range(0, 4).Select(_ => Get(port)), s => Assert.Equal("a", s));
    }

    [Fact]
    public async Task A_removed_member_drains_its_open_connections()
    {
        var slow = Backend("slow", 2, TimeSpan.FromMilliseconds(700));
        var (server, port, _) = Start(slow.Port, new LbBackend("S", slow.Address));
        using (server)
        {
            var pending = Task.Run(() => Get(port));
            Assert.True(SpinWait.SpinUntil(() => LbStatus.Read(_dir)?.Active.GetValueOrDefault("S") == 1, 5000));
            LbProcess.SetBackends(_dir, [], running: true);
            Assert.False(LbProcess.Drain(_dir, ["S"], TimeSpan.FromMilliseconds(50)));
            Assert.Equal("slow", await pending);
            Assert.True(LbProcess.Drain(_dir, ["S"], TimeSpan.FromSeconds(5)));
        }
    }

    [Fact]
    public async Task Switching_under_continuous_load_then_stopping_the_drained_member_fails_no_request()
    {
        // Two members on the same port of different loopback addresses, each answering after a short delay.
        var a = Backend("a", 2, TimeSpan.FromMilliseconds(5));
        var bListener = new TcpListener(IPAddress.Parse("127.0.0.3"), a.Port);
        bListener.Start();
        _backends.Add(bListener);
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient x;
                try { x = await bListener.AcceptTcpClientAsync(_stop.Token); } catch { return; }
                _ = Task.Run(async () => { using (x) { await Task.Delay(5); await x.GetStream().WriteAsync("b"u8.ToArray()); } });
            }
        });
        var (server, port, _) = Start(a.Port, new LbBackend("A", a.Address));
        using (server)
        {
            using var load = new CancellationTokenSource();
            var results = new System.Collections.Concurrent.ConcurrentBag<string>();
            // Client threads of their own: blocking clients on the thread pool would starve the balancer's tasks.
            var clients = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
            {
                while (!load.IsCancellationRequested)
                {
                    try { results.Add(Get(port)); } catch (Exception e) { results.Add("error: " + e.Message); }
                }
            })).ToList();
            clients.ForEach(t => t.Start());
            await Task.Delay(200);
            LbProcess.SetBackends(_dir, [new LbBackend("B", "127.0.0.3")], running: true);
            Assert.True(LbProcess.Drain(_dir, ["A"], TimeSpan.FromSeconds(5)));
            _backends[0].Stop(); // the old member goes away once drained
            await Task.Delay(300);
            load.Cancel();
            clients.ForEach(t => t.Join());
            Assert.DoesNotContain(results, r => r is not ("a" or "b"));
            Assert.Contains("a", results);
            Assert.Contains("b", results);
        }
    }

    [Fact]
    public void A_port_in_use_is_one_clear_error()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            int port = ((IPEndPoint)taken.LocalEndpoint).Port;
            new LbMembership(1, [new LbListener("127.0.0.1", port, 80)], []).Write(_dir);
            using var server = new LbServer(_dir);
            var e = Assert.Throws<BerthException>(server.Bind);
            Assert.StartsWith($"cannot publish 127.0.0.1:{port}: ", e.Message);
        }
        finally { taken.Stop(); }
    }
}
