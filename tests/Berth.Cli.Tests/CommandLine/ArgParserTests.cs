using Berth.Cli.CommandLine;

namespace Berth.Cli.Tests.CommandLine;

public class ArgParserTests
{
    private static readonly CommandSpec Run = new("run", "Run", null)
    {
        Options =
        [
            OptionSpec.Flag("interactive", 'i', ""),
            OptionSpec.Flag("tty", 't', ""),
            OptionSpec.Flag("detach", 'd', ""),
            OptionSpec.Flag("rm", ""),
            OptionSpec.List("env", 'e', ""),
            OptionSpec.Value("name", ""),
            OptionSpec.List("publish", 'p', ""),
        ],
        StopAtFirstArg = true,
        MinArgs = 1,
    };

    [Fact]
    public void BundledShortFlagsAndValues()
    {
        var a = ArgParser.Parse(Run, "berth run", ["-it", "-e", "A=1", "-eB=2", "--name=web", "-p8080:80", "img"]);
        Assert.True(a.Flag("interactive"));
        Assert.True(a.Flag("tty"));
        Assert.False(a.Flag("detach"));
        Assert.Equal(["A=1", "B=2"], a.Values("env"));
        Assert.Equal("web", a.Value("name"));
        Assert.Equal(["8080:80"], a.Values("publish"));
        Assert.Equal(["img"], a.Args);
    }

    [Fact]
    public void OptionsAfterTheImageBelongToTheCommand()
    {
        var a = ArgParser.Parse(Run, "berth run", ["--rm", "img", "sh", "-c", "exit 42", "--name", "x"]);
        Assert.True(a.Flag("rm"));
        Assert.Null(a.Value("name"));
        Assert.Equal(["img", "sh", "-c", "exit 42", "--name", "x"], a.Args);
    }

    [Fact]
    public void BoolFlagsTakeExplicitValues()
    {
        var a = ArgParser.Parse(Run, "berth run", ["--rm=false", "img"]);
        Assert.False(a.Flag("rm"));
        Assert.Throws<UsageException>(() => ArgParser.Parse(Run, "berth run", ["--rm=maybe", "img"]));
    }

    [Fact]
    public void UnknownFlagsAndMissingValuesAreUsageErrors()
    {
        var e = Assert.Throws<UsageException>(() => ArgParser.Parse(Run, "berth run", ["--bogus", "img"]));
        Assert.Equal("unknown flag: --bogus", e.Message);
        Assert.Equal(125, e.ExitCode);
        e = Assert.Throws<UsageException>(() => ArgParser.Parse(Run, "berth run", ["img", "--name"]) is var _ ? ArgParser.Parse(Run, "berth run", ["--name"]) : null);
        Assert.Equal("flag needs an argument: --name", e.Message);
        e = Assert.Throws<UsageException>(() => ArgParser.Parse(Run, "berth run", ["--rm"]));
        Assert.Equal(1, e.ExitCode);
    }

    [Fact]
    public void DoubleDashEndsOptions()
    {
        var interspersed = Run with { StopAtFirstArg = false };
        var a = ArgParser.Parse(interspersed, "berth x", ["a", "--rm", "--", "--name"]);
        Assert.True(a.Flag("rm"));
        Assert.Equal(["a", "--name"], a.Args);
    }
}
