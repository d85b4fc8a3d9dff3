using Berth.Engine.Networking.Ports;

namespace Berth.Engine.Tests.Networking;

public class PortBindingTests
{
    [Theory]
    [InlineData("80", "tcp", 80, "0.0.0.0", 0)]
    [InlineData("8080:80", "tcp", 80, "0.0.0.0", 8080)]
    [InlineData("127.0.0.1:8080:80", "tcp", 80, "127.0.0.1", 8080)]
    [InlineData("127.0.0.1::80", "tcp", 80, "127.0.0.1", 0)]
    [InlineData("5353:53/udp", "udp", 53, "0.0.0.0", 5353)]
    [InlineData("53/UDP", "udp", 53, "0.0.0.0", 0)]
    [InlineData("9000:90/tcp", "tcp", 90, "0.0.0.0", 9000)]
    public void Parses_docker_forms(string spec, string protocol, int container, string hostIp, int hostPort)
    {
        var b = Assert.Single(PortBinding.Parse(spec));
        Assert.Equal(protocol, b.Protocol);
        Assert.Equal(container, b.ContainerPort);
        Assert.Equal(hostIp, b.HostIp);
        Assert.Equal(hostPort, b.HostPort);
    }

    [Fact]
    public void Expands_ranges_pairwise_and_keeps_a_host_range_for_one_port()
    {
        var pairs = PortBinding.Parse("8000-8002:80-82");
        Assert.Equal([(8000, 80), (8001, 81), (8002, 82)], pairs.Select(b => (b.HostPort, b.ContainerPort)));
        var one = Assert.Single(PortBinding.Parse("8000-8010:80"));
        Assert.Equal((8000, 8010), (one.HostPort, one.HostPortEnd));
        Assert.Equal([80, 81], PortBinding.Parse("80-81").Select(b => b.ContainerPort));
    }

    [Theory]
    [InlineData("abc", "invalid container port 'abc'")]
    [InlineData("0", "invalid container port '0'")]
    [InlineData("70000", "invalid container port '70000'")]
    [InlineData("80/sctp", "unsupported protocol 'sctp'")]
    [InlineData("x:80", "invalid host port 'x'")]
    [InlineData("1.2.3:8080:80", "invalid IP address '1.2.3'")]
    [InlineData("1:2:3:4", "too many colons")]
    [InlineData("8000-8001:80-82", "differ in size")]
    [InlineData("90-80", "invalid container port range")]
    [InlineData("[::1]:80:80", "IPv6")]
    [InlineData("8080:", "no container port")]
    public void Refuses_bad_specs_in_one_line(string spec, string why)
    {
        var e = Assert.Throws<BerthException>(() => PortBinding.Parse(spec));
        Assert.Contains($"invalid port spec '{spec}'", e.Message);
        Assert.Contains(why, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Exposed_entries_become_random_host_ports()
    {
        var b = PortBinding.Exposed("53/udp");
        Assert.Equal(("udp", 53, 0), (b.Protocol, b.ContainerPort, b.HostPort));
        Assert.Equal("8080/tcp", PortBinding.Exposed("8080").Key);
    }
}
