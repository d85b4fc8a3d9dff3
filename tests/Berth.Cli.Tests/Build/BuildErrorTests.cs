namespace Berth.Cli.Tests.Build;

/// <summary>Bad input: one clear line naming the Dockerfile line, exit 1, and nothing changed in the store or the cache.</summary>
public sealed class BuildErrorTests : IDisposable
{
    private readonly BuildFixture _f = new();

    public BuildErrorTests()
    {
        // Something in the cache and the store already, so "unchanged" means something.
        _f.Dockerfile("FROM base:1\nRUN echo cached > /cached\n");
        _f.Build("-t", "good:1");
    }

    public void Dispose() => _f.Dispose();

    [Theory]
    [InlineData("FROM base:1\nCOPYY x /x\n", "Dockerfile:2", "unknown instruction: COPYY")]
    [InlineData("FROM base:1\nRUN echo ok\nEXPOSE 99999\n", "Dockerfile:3", "99999")]
    [InlineData("FROM base:1\nRUN echo ok\nCOPY missing.txt /x\n", "Dockerfile:3", "missing.txt")]
    [InlineData("FROM base:1\nRUN echo ok\nCOPY ../outside /x\n", "Dockerfile:3", "outside the build context")]
    [InlineData("FROM base:1\nRUN echo ok\nCOPY --from=nostage /x /x\n", "Dockerfile:3", "nostage")]
    [InlineData("FROM nothere:1\nRUN echo ok\n", "Dockerfile:1", "nothere")]
    [InlineData("FROM base:1 AS a\nFROM base:1\nCOPY --from=b /x /x\n", "Dockerfile:3", "")]
    public void Bad_input_fails_with_the_line_and_changes_nothing(string dockerfile, string where, string what)
    {
        var before = _f.StoreState();
        _f.Dockerfile(dockerfile);
        var r = _f.TryBuild("-t", "bad:1");
        Assert.Equal(1, r.ExitCode);
        var first = r.Stderr.Split('\n')[0];
        Assert.StartsWith("Error: " + where, first);
        Assert.Contains(what, first);
        Assert.DoesNotContain("Running in", r.Stdout);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.Equal(before, _f.StoreState());
    }

    [Fact]
    public void A_missing_context_or_Dockerfile_is_one_line()
    {
        var r = _f.Run("build", Path.Combine(_f.Root, "no-such-dir"));
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("Error: unable to prepare context", r.Stderr);
        var noFile = _f.Run("build", "-f", "nope.Dockerfile", _f.Context);
        Assert.Equal(1, noFile.ExitCode);
        Assert.Contains("nope.Dockerfile", noFile.Stderr);
    }
}
