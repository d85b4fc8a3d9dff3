using Berth.Cli.CommandLine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

/// <summary>The hidden mode berth runs in as a detached container's monitor (see ContainerMonitor).</summary>
internal static class MonitorCommand
{
    public const string Name = "__berth-monitor";

    public static readonly CommandSpec Spec = new(Name, "Keep a detached container (internal)", Run)
    {
        Hidden = true,
        MinArgs = 1,
        MaxArgs = 1,
        Options = [OptionSpec.Flag("attach-first", "Wait for an attach client before starting")],
    };

    /// <summary>The notify pipe the starting CLI reads: "S" started, "E code message" failed, "L" listening.</summary>
    private const int NotifyFd = 3;

    private static int Run(CliContext ctx, ParsedArgs a) =>
        new ContainerMonitor(ContainerCli.Service(ctx)).Run(a.Arg(0), NotifyFd, a.Flag("attach-first"));
}
