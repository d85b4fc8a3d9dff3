using System.Net;
using System.Net.Sockets;
using System.Text;
using Berth.Cli.Tests.Build;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Networking;

/// <summary>build's RUN steps on the default bridge (docker's default), and --network none|host.</summary>
public sealed class BuildNetworkTests : IDisposable
{
    private readonly BuildFixture _f = new();

    public void Dispose() => _f.Dispose(); // its TempRoot removes the default bridge and nft table

    [Fact]
    public async Task Run_steps_use_the_default_bridge_and_reach_the_host_through_its_gateway()
    {
        using var server = new TcpListener(IPAddress.Any, 0);
        server.Start();
        int port = ((IPEndPoint)server.LocalEndpoint).Port;
        var serving = Task.Run(() =>
        {
            using var client = server.AcceptTcpClient();
            using var stream = client.GetStream();
            var buffer = new byte[4096];
            stream.ReadExactly(buffer, 0, 4); // "GET "
            stream.Write(Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\nContent-Length: 11\r\n\r\nfrom-host\r\n"));
        });
        _f.Dockerfile($"FROM base:1\nRUN ip -o -4 addr show eth0 > /eth0 && ip route > /route && " +
                      $"wget -qO /fetched http://$(ip route | awk '/^default/ {{print $3}}'):{port}/\n");
        _f.Build("-t", "bridged:1");
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        var eth0 = _f.Exec("bridged:1", "cat", "/eth0");
        Assert.Contains("inet ", eth0);
        Assert.Contains("default via ", _f.Exec("bridged:1", "cat", "/route"));
        Assert.Equal("from-host\r\n", _f.Exec("bridged:1", "cat", "/fetched"));
        var bridge = Cleanup.BridgesOf(_f.Root);
        Assert.Single(bridge);
        // The RUN container's address went back and its veth went with its namespace.
        Assert.Equal("", Shell.Run("sqlite3", Path.Combine(_f.Root, "berth.db"), "SELECT ip FROM leases").AssertOk().Stdout);
        Assert.Empty(Directory.EnumerateFiles($"/sys/class/net/{bridge[0]}/brif").Concat(Directory.EnumerateDirectories($"/sys/class/net/{bridge[0]}/brif")));
    }

    [Fact]
    public void Network_none_and_host_stay_available_for_build()
    {
        _f.Dockerfile("FROM base:1\nRUN ls /sys/class/net | sort | tr '\\n' ' ' > /links\n");
        _f.Build("--network", "none", "-t", "isolated:1");
        Assert.Equal("lo ", _f.Exec("isolated:1", "cat", "/links"));
        _f.Build("--network", "host", "--no-cache", "-t", "hosted:1");
        var hosted = _f.Exec("hosted:1", "cat", "/links").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("lo", hosted);
        Assert.True(hosted.Length > 1, "--network host sees the host's interfaces");
        Assert.Empty(Cleanup.BridgesOf(_f.Root)); // neither touched the bridge
    }
}
