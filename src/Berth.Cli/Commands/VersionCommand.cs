using Berth.Cli.CommandLine;

namespace Berth.Cli.Commands;

internal static class VersionCommand
{
    public const string Version = "0.1.0";
    public const string ApiVersion = "1.43";

    public static readonly CommandSpec Spec = new("version", "Show the Berth version information", Run)
    {
        Options = [OptionSpec.Value("format", 'f', "Format output using a custom template")],
        MaxArgs = 0,
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        ctx.Out.Write($"""
            Client: Berth
             Version:           {Version}
             API version:       {ApiVersion}
             Go version:        n/a (.NET {Environment.Version})
             OS/Arch:           linux/amd64
             Runtime:           berth (built-in), daemonless

            """);
        return 0;
    }
}
