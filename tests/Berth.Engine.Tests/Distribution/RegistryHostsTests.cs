using Berth.Engine.Distribution;

namespace Berth.Engine.Tests.Distribution;

public class RegistryHostsTests
{
    [Theory]
    [InlineData("localhost:5000", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.9.9.9", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("10.0.0.1:5000", false)]
    [InlineData("docker.io", false)]
    public void LoopbackTriesPlainHttpThenUnverifiedHttps(string domain, bool loopback)
    {
        Assert.Equal(loopback, RegistryHosts.IsLoopback(domain));
        var schemes = new RegistryHosts().SchemesFor(domain);
        Assert.Equal(loopback ? [("http", false), ("https", false)] : new[] { ("https", true) }, schemes);
    }

    [Fact]
    public void InsecureByHostOrNetworkTriesHttpsUnverifiedThenHttp()
    {
        var hosts = new RegistryHosts(["reg.lan:5000", "http://other.lan", "10.1.0.0/16"]);
        Assert.True(hosts.IsInsecure("reg.lan:5000"));
        Assert.True(hosts.IsInsecure("other.lan:443"));
        Assert.True(hosts.IsInsecure("10.1.2.3:5000"));
        Assert.False(hosts.IsInsecure("10.2.0.1:5000"));
        Assert.False(hosts.IsInsecure("docker.io"));
        Assert.Equal([("https", false), ("http", false)], hosts.SchemesFor("10.1.2.3:5000"));
    }

    [Fact]
    public void DockerHubIsServedByRegistry1AndLoggedInUnderItsV1Key()
    {
        Assert.Equal("registry-1.docker.io", RegistryHosts.ApiHost("docker.io"));
        Assert.Equal("https://index.docker.io/v1/", RegistryHosts.AuthKey("docker.io"));
        Assert.Equal("host:5000", RegistryHosts.AuthKey("host:5000"));
    }
}
