using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

internal static class KillCommand
{
    public static readonly CommandSpec Spec = new("kill", "Kill one or more running containers", Run)
    {
        Usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        MinArgs = 1,
        Options = [OptionSpec.Value("signal", 's', "Signal to send to the container", "string", "\"KILL\"")],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        int signal;
        try { signal = Signals.Parse(a.Value("signal", "KILL")); }
        catch (BerthException e) { throw new UsageException(e.Message, a.CommandPath); }
        var lifecycle = new ContainerLifecycle(ContainerCli.Service(ctx));
        return ContainerCli.ForEach(ctx, a.Args, (c, name) =>
        {
            lifecycle.Kill(c, signal);
            ctx.Out.Write(name + "\n");
        });
    }
}
