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
        Assert.Equal("nameserver 172.18.0.1\nsearch corp.example\noptions ndots:0 edns0\n", ResolvConf.For("172.18.0.1", [], _file));
    }

    [Fact]
    public void The_default_bridge_gets_the_hosts_resolvers_without_loopback_ones()
    {
        File.WriteAllText(_file, "nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp.example\n");
        Assert.Equal("nameserver 10.0.0.2\nsearch corp.example\n", ResolvConf.For(null, [], _file));
        File.WriteAllText(_file, "nameserver 127.0.0.53\n");
        Assert.Equal("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", ResolvConf.For(null, [], _file));
        Assert.Equal("nameserver 9.9.9.9\n", ResolvConf.For(null, ["9.9.9.9"], _file));
    }

    [Fact]
    public void Hosts_names_the_container_at_its_address()
    {
        Assert.EndsWith("ff02::2\tip6-allrouters\n172.17.0.2\tbox\n", ResolvConf.Hosts("172.17.0.2", "box"));
        Assert.StartsWith("127.0.0.1\tlocalhost\n", ResolvConf.Hosts(null, "box"));
    }
}
