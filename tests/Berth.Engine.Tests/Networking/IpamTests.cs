using Berth.Engine.Networking.Ipam;

namespace Berth.Engine.Tests.Networking;

public class IpamTests
{
    [Theory]
    [InlineData("172.18.0.0/16", "172.18.0.1", "172.18.255.255")]
    [InlineData("10.1.2.0/24", "10.1.2.1", "10.1.2.255")]
    [InlineData("192.168.16.0/20", "192.168.16.1", "192.168.31.255")]
    public void Parses_a_subnet_with_its_first_host_and_broadcast(string text, string first, string broadcast)
    {
        var s = Ipv4Subnet.Parse(text);
        Assert.Equal(text, s.ToString());
        Assert.Equal(first, Ipv4.Format(s.FirstHost));
        Assert.Equal(broadcast, Ipv4.Format(s.Broadcast));
    }

    [Theory]
    [InlineData("172.18.0.1/16", "it should be 172.18.0.0/16")]
    [InlineData("172.18.0.0", "use an IPv4 CIDR")]
    [InlineData("172.18.0.0/33", "use an IPv4 CIDR")]
    [InlineData("172.18.0.0/31", "between 1 and 30")]
    [InlineData("fd00::/64", "use an IPv4 CIDR")]
    [InlineData("300.1.1.0/24", "use an IPv4 CIDR")]
    public void Refuses_a_bad_subnet_in_one_line(string text, string why)
    {
        var e = Assert.Throws<BerthException>(() => Ipv4Subnet.Parse(text));
        Assert.Contains(why, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(BerthException.UserError, e.ExitCode);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.5.0.0/16", true)]
    [InlineData("10.5.0.0/16", "10.0.0.0/8", true)]
    [InlineData("10.5.0.0/16", "10.6.0.0/16", false)]
    [InlineData("192.168.0.0/20", "192.168.16.0/20", false)]
    [InlineData("192.168.0.0/20", "192.168.15.0/24", true)]
    public void Knows_when_two_subnets_overlap(string a, string b, bool overlap) =>
        Assert.Equal(overlap, Ipv4Subnet.Parse(a).Overlaps(Ipv4Subnet.Parse(b)));

    [Fact]
    public void Picks_docker_pools_skipping_taken_ones()
    {
        Assert.Equal("172.17.0.0/16", SubnetPicker.Pick([]).ToString());
        Assert.Equal("172.19.0.0/16", SubnetPicker.Pick([Ipv4Subnet.Parse("172.17.5.0/24"), Ipv4Subnet.Parse("172.18.0.0/16")]).ToString());
        Assert.Equal("192.168.0.0/20", SubnetPicker.Pick([Ipv4Subnet.Parse("172.16.0.0/12")]).ToString());
        Assert.Equal("192.168.32.0/20", SubnetPicker.Pick([Ipv4Subnet.Parse("172.16.0.0/12"), Ipv4Subnet.Parse("192.168.0.0/19")]).ToString());
        var e = Assert.Throws<BerthException>(() => SubnetPicker.Pick([Ipv4Subnet.Parse("172.16.0.0/12"), Ipv4Subnet.Parse("192.168.0.0/16")]));
        Assert.Contains("--subnet", e.Message);
    }

    [Fact]
    public void Allocates_the_lowest_free_address_never_the_gateway_or_broadcast()
    {
        var s = Ipv4Subnet.Parse("10.9.0.0/29"); // .1 to .6 usable
        uint gw = Ipv4.Parse("10.9.0.1");
        Assert.Equal("10.9.0.2", Ipv4.Format(AddressAllocator.Next(s, gw, new HashSet<uint>())));
        var taken = new HashSet<uint> { Ipv4.Parse("10.9.0.2"), Ipv4.Parse("10.9.0.3") };
        Assert.Equal("10.9.0.4", Ipv4.Format(AddressAllocator.Next(s, gw, taken)));
        taken.UnionWith([Ipv4.Parse("10.9.0.4"), Ipv4.Parse("10.9.0.5"), Ipv4.Parse("10.9.0.6")]);
        Assert.Throws<BerthException>(() => AddressAllocator.Next(s, gw, taken));
    }

    [Fact]
    public void Checks_a_requested_address()
    {
        var s = Ipv4Subnet.Parse("10.9.0.0/24");
        uint gw = Ipv4.Parse("10.9.0.1");
        var taken = new HashSet<uint> { Ipv4.Parse("10.9.0.7") };
        Assert.Equal("10.9.0.9", Ipv4.Format(AddressAllocator.Requested("10.9.0.9", s, gw, taken, "n")));
        Assert.Contains("already in use", Assert.Throws<BerthException>(() => AddressAllocator.Requested("10.9.0.7", s, gw, taken, "n")).Message);
        Assert.Contains("already in use", Assert.Throws<BerthException>(() => AddressAllocator.Requested("10.9.0.1", s, gw, taken, "n")).Message);
        Assert.Contains("not a host address", Assert.Throws<BerthException>(() => AddressAllocator.Requested("10.8.0.9", s, gw, taken, "n")).Message);
        Assert.Contains("not a host address", Assert.Throws<BerthException>(() => AddressAllocator.Requested("10.9.0.255", s, gw, taken, "n")).Message);
    }

    [Fact]
    public void Derives_docker_style_macs_from_addresses() =>
        Assert.Equal("02:42:ac:11:00:02", Ipv4.FormatMac(Ipv4.MacFor(Ipv4.Parse("172.17.0.2"))));
}
