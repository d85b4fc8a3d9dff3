using Berth.Cli.CommandLine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

internal static class RestartCommand
{
    public static readonly CommandSpec Spec = new("restart", "Restart one or more containers", Run)
    {
        Usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        MinArgs = 1,
        Options =
        [
            OptionSpec.Value("time", 't', "Seconds to wait before killing the container", "int"),
            OptionSpec.Value("signal", 's', "Signal to send to the container"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        int? timeout = a.Int("time");
        var lifecycle = new ContainerLifecycle(ContainerCli.Service(ctx));
        return ContainerCli.ForEach(ctx, a.Args, (c, name) =>
        {
            if (a.Value("signal") is { } sig) c = c with { Spec = c.Spec with { StopSignal = Signals.Name(Signals.Parse(sig)) } };
            lifecycle.Restart(c, timeout);
            ctx.Out.Write(name + "\n");
        });
    }
}
