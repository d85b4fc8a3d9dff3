using System.Diagnostics;
using Berth.Engine.Networking.Ipam;
using Berth.Engine.Networking.Netlink;

namespace Berth.Engine.Tests.Networking;

/// <summary>Real rtnetlink against the kernel: a bridge on the host, a veth pair whose peer is born in
/// another process's network namespace, configured from inside it. Everything is deleted in finally.</summary>
public class NetlinkTests
{
    private static string Sh(string command)
    {
        var p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    [Fact]
    public void Plugs_a_veth_into_a_bridge_and_configures_the_peer_inside_a_namespace()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        string bridge = "bt" + suffix, veth = "vt" + suffix;
        var holder = Process.Start(new ProcessStartInfo("unshare", ["-n", "sleep", "60"]))!;
        using var s = NetlinkSocket.Open();
        try
        {
            Thread.Sleep(200);
            Links.CreateBridge(s, bridge, "berth-test " + suffix);
            int br = Links.IndexOf(s, bridge)!.Value;
            s.Run(Links.AddAddress(br, Ipv4.Parse("10.211.7.1"), 24, "gateway"));
            Assert.Contains(Links.List(s), l => l.Name == bridge && l.Kind == "bridge" && l.Alias == "berth-test " + suffix);
            Assert.Contains(Links.RoutedPrefixes(s), p => p.ToString() == "10.211.7.0/24");

            Links.CreateVeth(s, veth, br, "eth0", holder.Id, Ipv4.MacFor(Ipv4.Parse("10.211.7.2")));
            using (var inside = NetlinkSocket.OpenInNamespaceOf(holder.Id))
            {
                int eth0 = Links.IndexOf(inside, "eth0")!.Value;
                inside.Run(Links.SetUp(eth0, "up"), Links.AddAddress(eth0, Ipv4.Parse("10.211.7.2"), 24, "address"), Links.DefaultRoute(eth0, Ipv4.Parse("10.211.7.1")));
                Assert.DoesNotContain(Links.List(inside), l => l.Name == veth); // the host side stays on the host
            }
            var addr = Sh($"nsenter -t {holder.Id} -n ip -o addr show eth0; nsenter -t {holder.Id} -n ip route");
            Assert.Contains("10.211.7.2/24", addr);
            Assert.Contains("default via 10.211.7.1 dev eth0", addr);
            Assert.Contains("02:42:0a:d3:07:02", Sh($"nsenter -t {holder.Id} -n ip link show eth0"));
            Assert.Contains("master " + bridge, Sh($"ip link show {veth}"));
            Assert.Contains("1 packets received", Sh("busybox ping -c1 -W2 10.211.7.2"));

            var e = Assert.Throws<NetlinkException>(() => Links.CreateBridge(s, bridge, "again"));
            Assert.Equal(17, e.Errno);
            Assert.Contains(bridge, e.Message);
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
            Links.Delete(s, veth);
            Links.Delete(s, bridge);
        }
        Assert.False(Links.Delete(s, bridge));
        Assert.Null(Links.IndexOf(s, bridge));
    }
}
