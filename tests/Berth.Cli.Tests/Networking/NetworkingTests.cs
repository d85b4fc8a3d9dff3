using System.Net;
using System.Net.Sockets;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Networking;

/// <summary>Containers on bridge networks: names and aliases through the embedded DNS server, isolation,
/// published ports. Each test has its own state root, networks and ports, and removes them.</summary>
public class NetworkingTests : IDisposable
{
    private readonly NetworkRoot _r = new();

    public void Dispose() => _r.Dispose();

    private const string Image = NetworkRoot.Image;

    private string Web(string network, params string[] extra) =>
        _r.Detached(["--network", network, .. extra, Image, "sh", "-c", NetworkRoot.HttpServer]);

    /// <summary>wget from a throwaway container; null when it fails (5 s at most).</summary>
    private string? Fetch(string network, string url)
    {
        var r = _r.Run("run", "--rm", "--network", network, Image, "timeout", "5", "wget", "-qO-", url);
        return r.ExitCode == 0 ? r.Stdout : null;
    }

    [Fact]
    public void Containers_on_a_user_network_reach_each_other_by_name_and_alias()
    {
        var net = _r.Network();
        var a = Web(net, "--name", "a-" + net, "--network-alias", "alpha");
        var b = Web(net, "--name", "b-" + net, "--network-alias", "beta");
        NetworkRoot.Eventually(() => _r.Run("exec", a, "wget", "-qO-", $"http://b-{net}:8080/").Stdout == "pong\n", "a to reach b by name");
        Assert.Equal("pong\n", _r.Run("exec", a, "wget", "-qO-", "http://beta:8080/").AssertOk().Stdout);
        Assert.Equal("pong\n", _r.Run("exec", b, "wget", "-qO-", $"http://a-{net}:8080/").AssertOk().Stdout);
        Assert.Equal("pong\n", _r.Run("exec", b, "wget", "-qO-", "http://alpha:8080/").AssertOk().Stdout);
        Assert.Equal("pong\n", _r.Run("exec", b, "wget", "-qO-", $"http://alpha.{net}:8080/").AssertOk().Stdout);
        // Unknown names of the network are answered at once, not sent to the host's resolvers.
        Assert.Contains("NXDOMAIN", _r.Run("exec", a, "nslookup", "nobody-here").Stdout + _r.Run("exec", a, "nslookup", "nobody-here").Stderr);
        Assert.Equal(_r.Address(a, net) + "\t" + a[..12], _r.Run("exec", a, "tail", "-n1", "/etc/hosts").AssertOk().Stdout.TrimEnd('\n'));
        Assert.StartsWith("nameserver " + _r.Gateway(net) + "\n", _r.Run("exec", a, "cat", "/etc/resolv.conf").AssertOk().Stdout);
    }

    [Fact]
    public void Added_hosts_are_in_etc_hosts_and_host_gateway_reaches_the_host()
    {
        var net = _r.Network();
        var gateway = _r.Gateway(net);
        // the host, listening on the network's gateway address only
        using var listener = new TcpListener(IPAddress.Parse(gateway), 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = new Thread(() =>
        {
            using var client = listener.AcceptTcpClient();
            using var stream = client.GetStream();
            stream.ReadExactly(new byte[4]); // "GET "
            stream.Write("HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n"u8);
        }) { IsBackground = true };
        serve.Start();
        var r = _r.Run("run", "--rm", "--network", net, "--add-host", "db:10.1.2.3", "--add-host", "gw=host-gateway", Image,
            "sh", "-c", $"cat /etc/hosts; timeout 5 wget -qO- http://gw:{port}/").AssertOk();
        Assert.Contains("\n10.1.2.3\tdb\n" + gateway + "\tgw\n", r.Stdout);
        Assert.EndsWith("hello\n", r.Stdout);
        Assert.True(serve.Join(TimeSpan.FromSeconds(5)));

        var id = _r.Run("create", "--network", "none", "--add-host", "db:10.1.2.3", "--add-host", "gw:host-gateway", Image, "true").AssertOk().Stdout.Trim();
        Assert.Equal("[\"db:10.1.2.3\",\"gw:host-gateway\"]", _r.Run("inspect", "-f", "{{json .HostConfig.ExtraHosts}}", id).AssertOk().Stdout.Trim());
        // without a network the host cannot be reached: no line for gw
        var none = _r.Run("run", "--rm", "--network", "none", "--add-host", "db:10.1.2.3", "--add-host", "gw:host-gateway", Image, "cat", "/etc/hosts").AssertOk();
        Assert.EndsWith("ff02::2\tip6-allrouters\n10.1.2.3\tdb\n", none.Stdout);

        var bad = _r.Run("run", "--rm", "--add-host", "db", Image, "true");
        Assert.Equal(125, bad.ExitCode);
        Assert.Equal("invalid argument \"db\" for \"--add-host\" flag: bad format for add-host: \"db\"", bad.Stderr.Split('\n')[0]);
    }

    [Fact]
    public void Dns_search_and_options_are_written_to_resolv_conf()
    {
        var net = _r.Network();
        var onNet = _r.Run("run", "--rm", "--network", net, "--dns-search", "corp.example", "--dns-option", "timeout:1", Image, "cat", "/etc/resolv.conf").AssertOk().Stdout;
        Assert.Equal($"nameserver {_r.Gateway(net)}\nsearch corp.example\noptions ndots:0 timeout:1\n", onNet);
        var none = _r.Run("run", "--rm", "--network", "none", "--dns", "10.0.0.53", "--dns-search", "a.example", "--dns-search", "b.example", "--dns-opt", "attempts:2", Image, "cat", "/etc/resolv.conf").AssertOk().Stdout;
        Assert.Equal("nameserver 10.0.0.53\nsearch a.example b.example\noptions attempts:2\n", none);
        var id = _r.Run("create", "--network", "none", "--dns-search", "a.example", "--dns-option", "ndots:2", Image, "true").AssertOk().Stdout.Trim();
        Assert.Equal("[\"a.example\"] [\"ndots:2\"]", _r.Run("inspect", "-f", "{{json .HostConfig.DnsSearch}} {{json .HostConfig.DnsOptions}}", id).AssertOk().Stdout.Trim());
    }

    [Fact]
    public void An_alias_shared_by_several_containers_resolves_round_robin()
    {
        var net = _r.Network();
        var one = _r.Detached("--network", net, "--network-alias", "pool", Image, "sleep", "300");
        var two = _r.Detached("--network", net, "--network-alias", "pool", Image, "sleep", "300");
        var expected = new[] { _r.Address(one, net), _r.Address(two, net) };
        var r = _r.Run("run", "--rm", "--network", net, Image, "sh", "-c",
            "for i in 1 2 3 4; do nslookup -type=a pool | awk '/^Address/ && !/#|:53$/ {printf \"%s \", $2} END {print \"\"}'; done").AssertOk();
        var answers = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().Split(' ')).ToList();
        Assert.Equal(4, answers.Count);
        Assert.All(answers, a => Assert.Equal(expected.Order(), a.Order())); // every answer has both
        Assert.Equal(expected.Order(), answers.Select(a => a[0]).Distinct().Order()); // and each leads in turn
    }

    [Fact]
    public void A_container_on_another_network_cannot_reach_them()
    {
        var net = _r.Network();
        var other = _r.Network();
        var web = Web(net, "--name", "w-" + net);
        var ip = _r.Address(web, net);
        NetworkRoot.Eventually(() => Fetch(net, $"http://{ip}:8080/") == "pong\n", "the server on its own network");
        Assert.Null(Fetch(other, $"http://{ip}:8080/"));
        Assert.Null(Fetch(other, $"http://w-{net}:8080/"));
        Assert.Null(Fetch("bridge", $"http://{ip}:8080/"));
        Assert.Contains("NXDOMAIN", _r.Run("run", "--rm", "--network", other, Image, "nslookup", "w-" + net).Stdout);
    }

    [Fact]
    public void An_internal_network_has_no_way_out_but_keeps_names()
    {
        var net = _r.Network("--internal");
        var web = Web(net, "--name", "i-" + net);
        NetworkRoot.Eventually(() => Fetch(net, $"http://i-{net}:8080/") == "pong\n", "the server by name on the internal network");
        Assert.DoesNotContain("default", _r.Run("exec", web, "ip", "route").AssertOk().Stdout);
        var outside = _r.Network();
        var far = Web(outside);
        var farIp = _r.Address(far, outside);
        NetworkRoot.Eventually(() => Fetch(outside, $"http://{farIp}:8080/") == "pong\n", "the outside server");
        Assert.NotEqual(0, _r.Run("exec", web, "timeout", "5", "wget", "-qO-", $"http://{farIp}:8080/").ExitCode);
    }

    [Fact]
    public void Published_tcp_and_udp_ports_are_reachable_from_the_host_and_other_containers()
    {
        int tcp = NetworkRoot.FreePort(), udp = NetworkRoot.FreePort(udp: true), any = NetworkRoot.FreePort();
        var net = _r.Network();
        var c = _r.Detached("--network", net, "--name", "p-" + net, "-v", NetworkRoot.UdpEcho + ":/udpecho:ro",
            "-p", $"127.0.0.1:{tcp}:8080", "-p", $"{udp}:5353/udp", "-p", $"{any}:8080", Image,
            "sh", "-c", "/udpecho 5353 & " + NetworkRoot.HttpServer);
        NetworkRoot.Eventually(() => NetworkRoot.HttpGet($"http://127.0.0.1:{tcp}/") == "pong\n", "the published TCP port on 127.0.0.1");
        NetworkRoot.Eventually(() => NetworkRoot.UdpRoundTrip("127.0.0.1", udp, "ping?") == "ping?", "the published UDP port");
        Assert.Equal($"5353/udp -> 0.0.0.0:{udp}\n8080/tcp -> 127.0.0.1:{tcp}\n8080/tcp -> 0.0.0.0:{any}\n", _r.Run("port", c).AssertOk().Stdout);
        Assert.Equal($"0.0.0.0:{udp}\n", _r.Run("port", c, "5353/udp").AssertOk().Stdout);
        Assert.Contains($"127.0.0.1:{tcp}->8080/tcp", _r.Run("ps").AssertOk().Stdout);
        Assert.Contains($"\"5353/udp\":[{{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"{udp}\"}}]", _r.Run("inspect", "-f", "{{json .NetworkSettings.Ports}}", c).AssertOk().Stdout);
        // Another container, on the default bridge, through the host's address on its own network (its gateway).
        var viaGateway = _r.Run("run", "--rm", Image, "sh", "-c", $"timeout 5 wget -qO- http://$(ip route | awk '/^default/ {{print $3}}'):{any}/");
        Assert.Equal("pong\n", viaGateway.AssertOk().Stdout);
        // The container itself, through the host (hairpin).
        Assert.Equal("pong\n", _r.Run("exec", c, "wget", "-qO-", $"http://{_r.Gateway(net)}:{any}/").AssertOk().Stdout);
    }

    [Fact]
    public void Publish_all_maps_every_exposed_port()
    {
        _r.Run("import", "-c", "EXPOSE 8080", BusyboxRootfs.Tar, "exposing:1").AssertOk();
        var c = _r.Detached("-P", "--expose", "9999/udp", "exposing:1", "sh", "-c", NetworkRoot.HttpServer);
        var ports = _r.Run("port", c).AssertOk().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, ports.Length);
        Assert.Contains(ports, p => p.StartsWith("9999/udp -> 0.0.0.0:", StringComparison.Ordinal));
        var host = _r.Run("port", c, "8080").AssertOk().Stdout.Trim();
        Assert.StartsWith("0.0.0.0:", host);
        NetworkRoot.Eventually(() => NetworkRoot.HttpGet($"http://127.0.0.1:{host[8..]}/") == "pong\n", "the -P port");
    }

    [Fact]
    public void Port_conflicts_are_reported_and_leave_nothing_half_done()
    {
        int port = NetworkRoot.FreePort();
        _r.Detached("-p", $"{port}:8080", Image, "sh", "-c", NetworkRoot.HttpServer);
        var second = _r.Run("run", "-d", "--name", "second", "-p", $"{port}:80", Image, "sleep", "300");
        Assert.Equal(125, second.ExitCode);
        Assert.Equal($"Error: Bind for 0.0.0.0:{port}/tcp failed: port is already allocated\n", second.Stderr);
        Assert.Equal("", _r.Run("inspect", "-f", "{{json .NetworkSettings.Networks.bridge.IPAddress}}", "second").AssertOk().Stdout.Trim('\n', '"'));
        Assert.Equal("", _r.Run("port", "second").AssertOk().Stdout);
        Assert.Single(_r.TableText().Split('\n'), l => l.Contains($" . {port} :", StringComparison.Ordinal));

        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        int taken = ((IPEndPoint)holder.LocalEndPoint!).Port;
        var third = _r.Run("run", "--rm", "-p", $"127.0.0.1:{taken}:80", Image, "true");
        Assert.Equal(125, third.ExitCode);
        Assert.Equal($"Error: Bind for 127.0.0.1:{taken}/tcp failed: port is already allocated\n", third.Stderr);
    }

    [Fact]
    public void Removing_a_network_in_use_is_refused()
    {
        var net = _r.Network();
        var c = _r.Detached("--network", net, "--name", "user-" + net, Image, "sleep", "300");
        var r = _r.Run("network", "rm", net);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"network {net} id ", r.Stderr);
        Assert.Contains("has active endpoints (user-" + net + ")", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Contains(net, _r.Run("network", "ls").Stdout);
        _r.Run("stop", "-t", "1", c).AssertOk();
        Assert.Equal(net + "\n", _r.Run("network", "rm", net).AssertOk().Stdout);
        Assert.DoesNotContain(net, _r.Run("network", "ls").Stdout);
        Assert.Contains($"network {net} not found", _r.Run("start", c).Stderr);
    }

    [Fact]
    public void Connect_and_disconnect_change_a_running_containers_networks()
    {
        var front = _r.Network();
        var back = _r.Network();
        var c = _r.Detached("--network", front, "--name", "cd-" + front, Image, "sleep", "300");
        _r.Run("network", "connect", "--alias", "joined", back, c).AssertOk();
        Assert.Contains("eth1", _r.Run("exec", c, "ip", "-o", "addr").AssertOk().Stdout);
        var address = _r.Address(c, back);
        Assert.Contains("Address: " + address, _r.Run("run", "--rm", "--network", back, Image, "nslookup", "joined").AssertOk().Stdout);
        Assert.Contains("already exists in network", _r.Run("network", "connect", back, c).Stderr);
        _r.Run("network", "disconnect", back, c).AssertOk();
        Assert.DoesNotContain("eth1", _r.Run("exec", c, "ip", "-o", "addr").AssertOk().Stdout);
        Assert.Contains("NXDOMAIN", _r.Run("run", "--rm", "--network", back, Image, "nslookup", "joined").Stdout);
        Assert.Contains("is not connected to network", _r.Run("network", "disconnect", back, c).Stderr);
    }

    [Fact]
    public void A_fixed_address_is_kept_and_a_taken_one_refused()
    {
        var net = _r.Network("--subnet", "10.213.0.0/24", "--gateway", "10.213.0.254");
        var c = _r.Detached("--network", net, "--ip", "10.213.0.50", Image, "sleep", "300");
        Assert.Equal("10.213.0.50", _r.Address(c, net));
        Assert.Contains("default via 10.213.0.254", _r.Run("exec", c, "ip", "route").AssertOk().Stdout);
        var clash = _r.Run("run", "--rm", "--network", net, "--ip", "10.213.0.50", Image, "true");
        Assert.Equal(125, clash.ExitCode);
        Assert.Contains("Address already in use: 10.213.0.50", clash.Stderr);
    }

    [Fact]
    public void Bad_input_is_one_line_and_changes_nothing()
    {
        var net = _r.Network("--subnet", "10.214.0.0/16");
        var before = _r.Run("network", "ls", "-q").Stdout;
        var bridges = _r.BridgesOfThisRoot();
        void Refused(int code, string expected, params string[] args)
        {
            var r = _r.Run(args);
            Assert.True(r.ExitCode == code, $"{string.Join(' ', args)}: exit {r.ExitCode}, {r.Stderr}");
            Assert.Contains(expected, r.Stderr);
            Assert.Single(r.Stderr.Trim().Split('\n'));
        }
        Refused(1, "Pool overlaps with other one on this address space", "network", "create", "--subnet", "10.214.5.0/24", "overlap");
        Refused(1, "it should be 10.0.0.0/8", "network", "create", "--subnet", "10.0.0.1/8", "hostbits");
        Refused(1, "invalid gateway 10.99.0.1", "network", "create", "--subnet", "10.215.0.0/24", "--gateway", "10.99.0.1", "badgw");
        Refused(1, "invalid network name", "network", "create", "bad name!");
        Refused(1, "already exists", "network", "create", net);
        Refused(1, "bridge is a pre-defined network and cannot be removed", "network", "rm", "bridge");
        Refused(1, "network nope-net not found", "network", "connect", "nope-net", "whatever");
        Refused(125, "network nope-net not found", "run", "--rm", "--network", "nope-net", Image, "true");
        Refused(125, "invalid network alias \"bad alias!\"", "run", "--rm", "--network", net, "--network-alias", "bad alias!", Image, "true");
        Refused(125, "network-scoped aliases are only supported for user-defined networks", "run", "--rm", "--network-alias", "x", Image, "true");
        Refused(125, "invalid port spec 'abc'", "run", "--rm", "-p", "abc", Image, "true");
        Refused(125, "invalid port spec '1:2:3:4'", "create", "-p", "1:2:3:4", Image, "true");
        Assert.Equal(before, _r.Run("network", "ls", "-q").Stdout);
        Assert.Equal(bridges, _r.BridgesOfThisRoot());
        Assert.Equal("", _r.Run("ps", "-aq").Stdout);
    }

    [Fact]
    public void A_crashed_monitor_releases_the_address_and_ports()
    {
        int port = NetworkRoot.FreePort();
        var net = _r.Network();
        var c = _r.Detached("--network", net, "--name", "crash-" + net, "-p", $"{port}:8080", Image, "sh", "-c", NetworkRoot.HttpServer);
        NetworkRoot.Eventually(() => NetworkRoot.HttpGet($"http://127.0.0.1:{port}/") == "pong\n", "the published port");
        var monitor = Containers.ContainerRoot.ProcessesUsing(_r.Path).Single(pid => File.ReadAllText($"/proc/{pid}/cmdline").Contains("__berth-monitor"));
        Shell.Run("kill", "-9", monitor.ToString()).AssertOk();
        Assert.Contains("Exited (137)", _r.Run("ps", "-a").AssertOk().Stdout); // looking reconciles
        Assert.Equal("", _r.Run("port", c).AssertOk().Stdout);
        Assert.DoesNotContain($" . {port} :", _r.TableText());
        Assert.Contains("NXDOMAIN", _r.Run("run", "--rm", "--network", net, Image, "nslookup", "crash-" + net).Stdout);
        // The port is free again: a new container takes it.
        _r.Detached("-p", $"{port}:8080", Image, "sh", "-c", NetworkRoot.HttpServer);
        NetworkRoot.Eventually(() => NetworkRoot.HttpGet($"http://127.0.0.1:{port}/") == "pong\n", "the port taken again");
    }

    [Fact]
    public void Nothing_is_left_behind()
    {
        int port = NetworkRoot.FreePort();
        var net = _r.Network();
        var ids = new List<string>
        {
            _r.Detached("--network", net, "--network-alias", "svc", "-p", $"{port}:8080", Image, "sh", "-c", NetworkRoot.HttpServer),
            _r.Detached(Image, "sleep", "300"),
        };
        _r.Run("network", "connect", "bridge", ids[0]).AssertOk();
        NetworkRoot.Eventually(() => NetworkRoot.HttpGet($"http://127.0.0.1:{port}/") == "pong\n", "the published port");
        Assert.Equal(2, _r.BridgesOfThisRoot().Count);
        Assert.True(_r.TableExists());
        _r.RemoveEverything();
        _r.AssertNothingLeft(ids);
        Assert.Null(NetworkRoot.HttpGet($"http://127.0.0.1:{port}/"));
    }
}
