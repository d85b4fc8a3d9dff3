using Berth.Cli.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>compose down [-v]</c>: stop and remove the project's balancers, containers and networks (and with -v its volumes).</summary>
internal static class ComposeDownCommand
{
    public static readonly CommandSpec Spec = new("down", "Stop and remove containers, networks", Run)
    {
        Usage = "[OPTIONS]",
        MaxArgs = 0,
        Options =
        [
            OptionSpec.Flag("volumes", 'v', "Remove named volumes declared in the volumes section of the Compose file and anonymous volumes attached to containers"),
            OptionSpec.Flag("remove-orphans", "Remove containers for services not defined in the Compose file (always done)"),
            OptionSpec.Value("timeout", 't', "Specify a shutdown timeout in seconds", "int"),
            .. ComposeCli.ProjectOptions,
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        ComposeCli.Deployer(ctx).Down(ComposeCli.ProjectName(ctx, a), a.Flag("volumes"));
        return 0;
    }
}
