using Berth.Cli.CommandLine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

internal static class RmCommand
{
    public static readonly CommandSpec Spec = new("rm", "Remove one or more containers", Run)
    {
        Usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        MinArgs = 1,
        Options =
        [
            OptionSpec.Flag("force", 'f', "Force the removal of a running container (uses SIGKILL)"),
            OptionSpec.Flag("volumes", 'v', "Remove anonymous volumes associated with the container"),
            OptionSpec.Flag("link", 'l', "Remove the specified link") with { Hidden = true },
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var lifecycle = new ContainerLifecycle(ContainerCli.Service(ctx));
        bool force = a.Flag("force"), volumes = a.Flag("volumes");
        return ContainerCli.ForEach(ctx, a.Args, (c, name) =>
        {
            lifecycle.Remove(c, force, volumes);
            ctx.Out.Write(name + "\n");
        });
    }
}
