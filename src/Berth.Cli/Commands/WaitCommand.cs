using Berth.Cli.CommandLine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

internal static class WaitCommand
{
    public static readonly CommandSpec Spec = new("wait", "Block until one or more containers stop, then print their exit codes", Run)
    {
        Usage = "CONTAINER [CONTAINER...]",
        MinArgs = 1,
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var lifecycle = new ContainerLifecycle(ContainerCli.Service(ctx));
        return ContainerCli.ForEach(ctx, a.Args, (c, _) =>
        {
            ctx.Out.Write(lifecycle.Wait(c) + "\n");
            ctx.Out.Flush();
        });
    }
}
