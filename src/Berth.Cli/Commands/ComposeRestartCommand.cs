using Berth.Cli.CommandLine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

/// <summary><c>compose restart</c>: restart the project's containers (all, or the services named).</summary>
internal static class ComposeRestartCommand
{
    public static readonly CommandSpec Spec = new("restart", "Restart service containers", Run)
    {
        Usage = "[OPTIONS] [SERVICE...]",
        Options = [OptionSpec.Value("timeout", 't', "Specify a shutdown timeout in seconds", "int"), .. ComposeCli.ProjectOptions],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var lifecycle = new ContainerLifecycle(ContainerCli.Service(ctx));
        foreach (var c in ComposeCli.Containers(ctx, ComposeCli.ProjectName(ctx, a), a.Args))
        {
            lifecycle.Restart(c, a.Int("timeout"));
            ctx.Err.WriteLine($" Container {c.Name}  Started");
        }
        return 0;
    }
}
