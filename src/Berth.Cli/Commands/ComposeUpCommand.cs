using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Deploy;
using Berth.Engine.Util;

namespace Berth.Cli.Commands;

/// <summary><c>compose up</c>: create and start the project's services; a service whose image or config changed is rolled out.</summary>
internal static class ComposeUpCommand
{
    public static readonly CommandSpec Spec = new("up", "Create and start containers", Run)
    {
        Usage = "[OPTIONS] [SERVICE...]",
        Options =
        [
            OptionSpec.Flag("detach", 'd', "Detached mode: run containers in the background"),
            OptionSpec.Flag("build", "Build images before starting containers"),
            OptionSpec.Value("timeout", "How long a rollout waits for a new replica to be healthy", "duration", "60s"),
            OptionSpec.Flag("wait", "Wait for services to be running|healthy (accepted; up -d returns once replicas started)"),
            .. ComposeCli.ProjectOptions,
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var project = ComposeCli.Load(ctx, a);
        foreach (var s in a.Args) project.Service(s);
        var timeout = Units.ParseDuration(a.Value("timeout", "60s"));
        ComposeCli.Deployer(ctx).Up(project, a.Args, a.Flag("build"), new RolloutOptions { Timeout = timeout });
        if (a.Flag("detach")) return 0;
        // Attached: follow the logs until interrupted, as docker compose does.
        return ComposeLogsCommand.Follow(ctx, project.Name, a.Args);
    }
}
