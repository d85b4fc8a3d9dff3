using Berth.Cli.CommandLine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

internal static class DiffCommand
{
    public static readonly CommandSpec Spec = new("diff", "Inspect changes to files or directories on a container's filesystem", Run)
    {
        Usage = "CONTAINER",
        MinArgs = 1,
        MaxArgs = 1,
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        foreach (var change in new ContainerFilesystem(service).Diff(service.Get(a.Arg(0))))
            ctx.Out.Write(change + "\n");
        return 0;
    }
}
