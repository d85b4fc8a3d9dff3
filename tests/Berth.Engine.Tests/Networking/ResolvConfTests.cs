using Berth.Engine.Networking;

namespace Berth.Engine.Tests.Networking;

public class ResolvConfTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void A_user_network_asks_the_embedded_server_with_ndots_0()
    {
        File.WriteAllText(_file, "# managed\nnameserver 127.0.0.53\nsearch corp.example\noptions edns0 ndots:2\n");
        Assert.Equal("nameserver 172.18.0.1\nsearch corp.example\noptions ndots:0 edns0\n", ResolvConf.For("172.18.0.1", [], [], [], _file));
    }

    [Fact]
    public void The_default_bridge_gets_the_hosts_resolvers_without_loopback_ones()
    {
        File.WriteAllText(_file, "nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp.example\n");
        Assert.Equal("nameserver 10.0.0.2\nsearch corp.example\n", ResolvConf.For(null, [], [], [], _file));
        File.WriteAllText(_file, "nameserver 127.0.0.53\n");
        Assert.Equal("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", ResolvConf.For(null, [], [], [], _file));
        Assert.Equal("nameserver 9.9.9.9\n", ResolvConf.For(null, ["9.9.9.9"], [], [], _file));
    }

    [Fact]
    public void Search_domains_and_options_given_replace_the_hosts()
    {
        File.WriteAllText(_file, "nameserver 10.0.0.2\nsearch corp.example\noptions edns0\n");
        Assert.Equal("nameserver 10.0.0.2\nsearch a.example b.example\noptions timeout:1 attempts:2\n",
            ResolvConf.For(null, [], ["a.example", "b.example"], ["timeout:1", "attempts:2"], _file));
        Assert.Equal("nameserver 10.0.0.2\noptions edns0\n", ResolvConf.For(null, [], ["."], [], _file)); // "." means none
        // on a user network ndots:0 stays unless an ndots option is given
        Assert.Equal("nameserver 172.18.0.1\nsearch a.example\noptions ndots:0 timeout:1\n", ResolvConf.For("172.18.0.1", [], ["a.example"], ["timeout:1"], _file));
        Assert.Equal("nameserver 172.18.0.1\nsearch corp.example\noptions ndots:3\n", ResolvConf.For("172.18.0.1", [], [], ["ndots:3"], _file));
    }

    [Fact]
    public void Hosts_names_the_container_at_its_address()
    {
        Assert.EndsWith("ff02::2\tip6-allrouters\n172.17.0.2\tbox\n", ResolvConf.Hosts("172.17.0.2", "box", [], null));
        Assert.StartsWith("127.0.0.1\tlocalhost\n", ResolvConf.Hosts(null, "box", [], null));
    }

    [Fact]
    public void Added_hosts_come_before_the_container_and_host_gateway_is_the_networks_gateway()
    {
        Assert.EndsWith("ff02::2\tip6-allrouters\n10.1.2.3\tdb\n172.17.0.1\thost.docker.internal\n172.17.0.2\tbox\n",
            ResolvConf.Hosts("172.17.0.2", "box", ["db:10.1.2.3", "host.docker.internal:host-gateway"], "172.17.0.1"));
        // without a network there is no way to the host: the entry is left out
        Assert.EndsWith("ff02::2\tip6-allrouters\n10.1.2.3\tdb\n", ResolvConf.Hosts(null, "box", ["db:10.1.2.3", "gw:host-gateway"], null));
    }

    [Theory]
    [InlineData("db:10.1.2.3", "db:10.1.2.3")]
    [InlineData("db=10.1.2.3", "db:10.1.2.3")]
    [InlineData("v6:2001:db8::33", "v6:2001:db8::33")]
    [InlineData("v6=[2001:db8::33]", "v6:2001:db8::33")]
    [InlineData("gw:host-gateway", "gw:host-gateway")]
    public void Add_host_entries_parse_as_docker_reads_them(string value, string stored) =>
        Assert.Equal(stored, ExtraHosts.Parse(value, out _));

    [Theory]
    [InlineData("db", "bad format for add-host: \"db\"")]
    [InlineData(":10.1.2.3", "bad format for add-host: \":10.1.2.3\"")]
    [InlineData("db:", "bad format for add-host: \"db:\"")]
    [InlineData("db:10.1.2", "invalid IP address in add-host: \"10.1.2\"")]
    [InlineData("db:gateway", "invalid IP address in add-host: \"gateway\"")]
    public void Bad_add_host_entries_say_why(string value, string why)
    {
        Assert.Null(ExtraHosts.Parse(value, out var error));
        Assert.Equal(why, error);
    }
}
