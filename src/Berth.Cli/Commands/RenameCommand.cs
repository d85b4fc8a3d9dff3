using Berth.Cli.CommandLine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

internal static class RenameCommand
{
    public static readonly CommandSpec Spec = new("rename", "Rename a container", Run)
    {
        Usage = "CONTAINER NEW_NAME",
        MinArgs = 2,
        MaxArgs = 2,
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        new ContainerLifecycle(service).Rename(service.Get(a.Arg(0)), a.Arg(1));
        return 0;
    }
}
