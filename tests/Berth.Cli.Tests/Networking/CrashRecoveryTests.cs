using Berth.Cli.Tests.Containers;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Networking;

/// <summary>What a crash or a reboot leaves (dead monitors and DNS server, missing bridges and rules, a stale
/// veth, a state root gone without cleanup) is reconciled by the next command that needs it.</summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly NetworkRoot _r = new();

    public void Dispose() => _r.Dispose();

    private const string Image = NetworkRoot.Image;

    private static void KillEverythingOf(NetworkRoot root, params string[] containers)
    {
        var payloads = containers.Select(c => root.Run("inspect", "-f", "{{.State.Pid}}", c).AssertOk().Stdout.Trim()).ToList();
        foreach (var pid in ContainerRoot.ProcessesUsing(root.Path)) Shell.Run("kill", "-9", pid.ToString());
        foreach (var pid in payloads.Where(p => p != "0")) Shell.Run("kill", "-9", pid);
    }

    [Fact]
    public void After_a_reboot_starting_a_container_brings_its_network_back()
    {
        var net = _r.Network();
        var web = _r.Detached("--network", net, "--name", "r-" + net, Image, "sh", "-c", NetworkRoot.HttpServer);
        NetworkRoot.Eventually(() => _r.Run("run", "--rm", "--network", net, Image, "wget", "-qO-", $"http://r-{net}:8080/").Stdout == "pong\n", "the server by name");

        // The host "reboots": every process of the root dies at once, bridges and nft rules are gone.
        KillEverythingOf(_r, web);
        NetworkRoot.Eventually(() => NetworkRoot.VethsOf(web).Count == 0, "the veth to go with the namespace");
        foreach (var bridge in _r.BridgesOfThisRoot()) Shell.Run("ip", "link", "delete", bridge).AssertOk();
        Shell.Run("nft", "delete", "table", "ip", _r.Table).AssertOk();
        // Nothing saw the payload die, so its code is unknown: 255, as docker shows after a reboot.
        Assert.Contains("Exited (255)", _r.Run("ps", "-a", "--filter", "name=r-" + net).AssertOk().Stdout);
        // And a veth of the container's name is left over (a crash between creating and recording it).
        var stale = "vb" + web[..10] + "0";
        Shell.Run("ip", "link", "add", stale, "type", "veth", "peer", "name", "x" + web[..10]).AssertOk();

        _r.Run("start", web).AssertOk();
        NetworkRoot.Eventually(() => _r.Run("run", "--rm", "--network", net, Image, "wget", "-qO-", $"http://r-{net}:8080/").Stdout == "pong\n",
            "the server by name after the reboot (bridge, rules and DNS server back)");
        Assert.Single(NetworkRoot.VethsOf(web));
        Assert.False(Directory.Exists("/sys/class/net/x" + web[..10]), "the stale pair is replaced");
        Assert.True(_r.TableExists());
    }

    [Fact]
    public void A_state_root_removed_without_cleanup_has_its_bridges_and_rules_swept()
    {
        var dead = new NetworkRoot();
        try
        {
            var net = dead.Network();
            var c = dead.Detached("--network", net, Image, "sleep", "300");
            var d = dead.Detached(Image, "sleep", "300");
            Assert.Equal(2, dead.BridgesOfThisRoot().Count); // its network's and the default bridge
            Assert.True(dead.TableExists());
            KillEverythingOf(dead, c, d);
            NetworkRoot.Eventually(() => NetworkRoot.VethsOf(c).Count + NetworkRoot.VethsOf(d).Count == 0, "the veths to go with the namespaces");
            foreach (var db in Directory.EnumerateFiles(dead.Path, "berth.db*")) File.Delete(db);

            _r.Network(); // any network change elsewhere sweeps what belongs to roots that are gone
            Assert.Empty(dead.BridgesOfThisRoot());
            Assert.False(dead.TableExists(), "the removed root's nft table is still there");
        }
        finally { dead.Dispose(); }
    }
}
