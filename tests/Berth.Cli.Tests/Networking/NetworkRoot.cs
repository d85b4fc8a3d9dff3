using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Berth.Cli.Tests.Containers;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Networking;

/// <summary>
/// A <see cref="ContainerRoot"/> for network tests: networks with random names, free host ports, a static
/// UDP echo server to bind into containers. Disposal removes the containers, the networks, the default
/// bridge's interface (network prune), then whatever is still labelled with this root (bridges, the nft
/// table), so a failing test leaves nothing either; <see cref="AssertNothingLeft"/> checks it.
/// </summary>
public sealed class NetworkRoot : IDisposable
{
    public const string Image = ContainerRoot.Image;
    public const string HttpServer = "mkdir -p /www && echo pong > /www/index.html && exec httpd -f -p 8080 -h /www";
    private readonly ContainerRoot _root = new();
    private static readonly Lazy<string> s_udpEcho = new(BuildUdpEcho);

    public string Path => _root.Path;

    public RunResult Run(params string[] args) => _root.Run(args);

    /// <summary>A network with a random name (and the options given); returns its name.</summary>
    public string Network(params string[] options)
    {
        var name = "bt" + Guid.NewGuid().ToString("N")[..8];
        Run(["network", "create", .. options, name]).AssertOk();
        return name;
    }

    /// <summary>run -d with the given arguments (network and all); returns the container ID.</summary>
    public string Detached(params string[] args) => Run(["run", "-d", .. args]).AssertOk().Stdout.Trim();

    /// <summary>The container's address on <paramref name="network"/>, from inspect.</summary>
    public string Address(string container, string network)
    {
        var json = Run("inspect", "-f", "{{json .NetworkSettings.Networks}}", container).AssertOk().Stdout;
        return JsonDocument.Parse(json).RootElement.GetProperty(network).GetProperty("IPAddress").GetString()!;
    }

    public string Gateway(string network)
    {
        var json = Run("network", "inspect", network).AssertOk().Stdout;
        return JsonDocument.Parse(json).RootElement[0].GetProperty("IPAM").GetProperty("Config")[0].GetProperty("Gateway").GetString()!;
    }

    /// <summary>Waits until <paramref name="probe"/> holds (a server in a container starting), up to 20 s.</summary>
    public static void Eventually(Func<bool> probe, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!probe())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("timed out waiting for " + what);
            Thread.Sleep(100);
        }
    }

    public static string? HttpGet(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try { return http.GetStringAsync(url).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
    }

    public static string? UdpRoundTrip(string host, int port, string message)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        udp.Client.ReceiveTimeout = 1000;
        udp.Send(Encoding.ASCII.GetBytes(message), new IPEndPoint(IPAddress.Parse(host), port));
        try
        {
            IPEndPoint? from = null;
            return Encoding.ASCII.GetString(udp.Receive(ref from));
        }
        catch (SocketException) { return null; }
    }

    /// <summary>A host port nothing uses right now.</summary>
    public static int FreePort(bool udp = false)
    {
        using var s = udp ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Any, 0));
        int port = ((IPEndPoint)s.LocalEndPoint!).Port;
        using var other = !udp ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try { other.Bind(new IPEndPoint(IPAddress.Any, port)); }
        catch (SocketException) { return FreePort(udp); } // free for both protocols, so tests may use either
        return port;
    }

    /// <summary>A static UDP echo server (busybox has none), to bind-mount at /udpecho: <c>/udpecho PORT</c>.</summary>
    public static string UdpEcho => s_udpEcho.Value;

    private static string BuildUdpEcho()
    {
        var dir = Directory.CreateTempSubdirectory("berth-udpecho-").FullName;
        var source = System.IO.Path.Combine(dir, "udpecho.c");
        File.WriteAllText(source, """
            #include <netinet/in.h>
            #include <stdlib.h>
            #include <sys/socket.h>
            int main(int argc, char **argv) {
                int s = socket(AF_INET, SOCK_DGRAM, 0);
                struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
                if (bind(s, (struct sockaddr *)&a, sizeof a) != 0) return 1;
                for (;;) {
                    char b[2048]; struct sockaddr_in p; socklen_t l = sizeof p;
                    int n = recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&p, &l);
                    if (n >= 0) sendto(s, b, n, 0, (struct sockaddr *)&p, l);
                }
            }
            """);
        var binary = System.IO.Path.Combine(dir, "udpecho");
        Shell.Run(Shell.Has("cc") ? "cc" : "clang", "-static", "-O2", "-o", binary, source).AssertOk(); // CI installs clang
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        return binary;
    }

    /// <summary>Berth's nft table for this root (the engine's naming rule).</summary>
    public string Table => Cleanup.NftTableOf(Path);

    /// <summary>Links the kernel has labelled as this root's (bridges carry "berth-network ID ROOT").</summary>
    public List<string> BridgesOfThisRoot() => Cleanup.BridgesOf(Path);

    public static List<string> VethsOf(string containerId) =>
        Directory.EnumerateDirectories("/sys/class/net").Select(System.IO.Path.GetFileName).Where(n => n!.StartsWith("vb" + containerId[..10], StringComparison.Ordinal)).Select(n => n!).ToList();

    public bool TableExists() => Shell.Run("nft", "list", "table", "ip", Table).ExitCode == 0;

    public string TableText() => Shell.Run("nft", "list", "table", "ip", Table).Stdout;

    public void AssertNothingLeft(IEnumerable<string> containerIds)
    {
        Assert.Empty(BridgesOfThisRoot());
        foreach (var id in containerIds) Assert.Empty(VethsOf(id));
        Assert.False(TableExists(), "the nft table " + Table + " is still there");
        _root.AssertNothingLeft(); // no process (monitor, DNS server) runs from this root
    }

    /// <summary>Removes containers, networks and the default bridge the way a user would.</summary>
    public void RemoveEverything()
    {
        var ids = Run("ps", "-aq", "--no-trunc").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length > 0) Run(["rm", "-f", .. ids]);
        Run("network", "prune", "-f");
    }

    public void Dispose()
    {
        try { RemoveEverything(); }
        finally
        {
            Shell.Run("nft", "delete", "table", "ip", Table);
            _root.Dispose(); // and the bridges still labelled with this root
        }
    }
}
