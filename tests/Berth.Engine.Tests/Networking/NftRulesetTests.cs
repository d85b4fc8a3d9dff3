using Berth.Engine.Networking;
using Berth.Engine.Networking.Nat;

namespace Berth.Engine.Tests.Networking;

public class NftRulesetTests
{
    private static Network Bridge(string name, string subnet, string bridge, bool @internal = false) => new()
    {
        Id = new string('a', 64), Name = name, Driver = "bridge", Subnet = subnet, Gateway = "", Bridge = bridge, Internal = @internal,
    };

    [Fact]
    public void Names_the_default_roots_table_berth_and_others_by_hash()
    {
        Assert.Equal("berth", NftRuleset.TableName("/var/lib/berth"));
        Assert.Equal("berth", NftRuleset.TableName("/var/lib/berth/"));
        var other = NftRuleset.TableName("/tmp/x");
        Assert.Matches("^berth_[0-9a-f]{10}$", other);
        Assert.Equal(other, NftRuleset.TableName("/tmp/x/"));
        Assert.NotEqual(other, NftRuleset.TableName("/tmp/y"));
    }

    [Fact]
    public void Renders_masquerade_isolation_and_published_ports()
    {
        var ports = new[]
        {
            new PortMapping { ContainerId = "c", Protocol = "tcp", HostIp = "0.0.0.0", HostPort = 8080, ContainerPort = 80, ContainerIp = "172.18.0.2" },
            new PortMapping { ContainerId = "c", Protocol = "udp", HostIp = "127.0.0.1", HostPort = 5353, ContainerPort = 53, ContainerIp = "172.18.0.2" },
        };
        var text = NftRuleset.Render("berth_t", [Bridge("front", "172.18.0.0/16", "berth-front"), Bridge("inner", "10.9.0.0/24", "berth-inner", @internal: true)], ports);
        Assert.StartsWith("table ip berth_t {}\ndelete table ip berth_t\ntable ip berth_t {", text); // replaced whole, atomically
        Assert.Contains("ip saddr 172.18.0.0/16 oifname != \"berth-front\" masquerade", text);
        Assert.DoesNotContain("ip saddr 10.9.0.0/24 oifname != \"berth-inner\" masquerade", text); // internal: no NAT
        Assert.Contains("iifname \"berth-front\" oifname != \"berth-front\" oifname \"berth*\" drop", text);
        Assert.Contains("iifname \"berth-inner\" oifname != \"berth-inner\" drop", text);
        Assert.Contains("oifname \"berth-inner\" iifname != \"berth-inner\" drop", text);
        Assert.Contains("elements = { tcp . 8080 : 172.18.0.2 . 80 }", text);
        Assert.Contains("elements = { 127.0.0.1 . udp . 5353 : 172.18.0.2 . 53 }", text);
        Assert.Contains("oifname \"berth-front\" ip saddr 127.0.0.0/8 masquerade", text);
        Assert.Equal("add element ip t publish_any { tcp . 8080 : 172.18.0.2 . 80 }\nadd element ip t publish_ip { 127.0.0.1 . udp . 5353 : 172.18.0.2 . 53 }\n",
            NftRuleset.AddPorts("t", ports));
        Assert.Equal("delete element ip t publish_any { tcp . 8080 }\ndelete element ip t publish_ip { 127.0.0.1 . udp . 5353 }\n",
            NftRuleset.RemovePorts("t", ports));
    }

    [Fact]
    public void Nft_accepts_the_rendered_table()
    {
        if (!Nft.Available) return;
        var table = "berth_test" + Guid.NewGuid().ToString("N")[..6];
        try
        {
            Nft.Apply(NftRuleset.Render(table, [Bridge("front", "172.31.250.0/24", "berth-tfront")],
                [new PortMapping { ContainerId = "c", Protocol = "tcp", HostIp = "0.0.0.0", HostPort = 18080, ContainerPort = 80, ContainerIp = "172.31.250.2" }]), "render");
            Nft.Apply(NftRuleset.AddPorts(table, [new PortMapping { ContainerId = "d", Protocol = "udp", HostIp = "127.0.0.1", HostPort = 18081, ContainerPort = 53, ContainerIp = "172.31.250.3" }]), "add");
            var duplicate = Assert.Throws<NftException>(() => Nft.Apply(NftRuleset.AddPorts(table,
                [new PortMapping { ContainerId = "e", Protocol = "tcp", HostIp = "0.0.0.0", HostPort = 18080, ContainerPort = 81, ContainerIp = "172.31.250.4" }]), "add"));
            Assert.Contains("File exists", duplicate.Message);
        }
        finally
        {
            Nft.TryApply(NftRuleset.DeleteTable(table));
        }
    }
}
