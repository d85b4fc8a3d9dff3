using Berth.Engine.Distribution;

namespace Berth.Engine.Tests.Distribution;

public class AuthChallengeTests
{
    [Fact]
    public void ParsesBearerWithQuotedParameters()
    {
        var c = Assert.Single(AuthChallenge.Parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\""));
        Assert.True(c.IsBearer);
        Assert.Equal("https://auth.docker.io/token", c.Realm);
        Assert.Equal("registry.docker.io", c.Service);
        Assert.Equal("repository:library/busybox:pull", c.Scope);
    }

    [Fact]
    public void ParsesBasicAndSeveralChallenges()
    {
        var all = AuthChallenge.Parse("Basic realm=\"Registry Realm\", Bearer realm=\"http://x/token\", error=\"insufficient_scope\"");
        Assert.Equal(2, all.Count);
        Assert.True(all[0].IsBasic);
        Assert.Equal("Registry Realm", all[0].Realm);
        Assert.True(all[1].IsBearer);
        Assert.Equal("insufficient_scope", all[1].Parameters["error"]);
    }

    [Fact]
    public void EscapedQuotesAndUnquotedValues()
    {
        var c = Assert.Single(AuthChallenge.Parse("bearer realm=http://x/token,service=\"a \\\"b\\\"\""));
        Assert.True(c.IsBearer);
        Assert.Equal("http://x/token", c.Realm);
        Assert.Equal("a \"b\"", c.Service);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",,,")]
    [InlineData("=\"x\"")]
    public void GarbageGivesNoChallenge(string header) => Assert.Empty(AuthChallenge.Parse(header));
}
