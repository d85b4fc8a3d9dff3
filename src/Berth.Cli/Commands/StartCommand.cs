using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

internal static class StartCommand
{
    public static readonly CommandSpec Spec = new("start", "Start one or more stopped containers", Run)
    {
        Usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        MinArgs = 1,
        Options =
        [
            OptionSpec.Flag("attach", 'a', "Attach STDOUT/STDERR and forward signals"),
            OptionSpec.Flag("interactive", 'i', "Attach container's STDIN"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        var lifecycle = new ContainerLifecycle(service);
        bool attach = a.Flag("attach") || a.Flag("interactive");
        if (attach)
        {
            if (a.Args.Count > 1) throw new BerthException("you cannot start and attach multiple containers at once");
            var c = service.Get(a.Arg(0));
            ctx.Out.Flush();
            using var client = lifecycle.StartDetached(c, attach: true)
                ?? throw new BerthException($"cannot attach to container {a.Arg(0)}", BerthException.EngineError);
            return client.Run(1, 2, a.Flag("interactive") ? 0 : -1) ?? service.Get(c.Id).ExitCode;
        }
        return ContainerCli.ForEach(ctx, a.Args, (c, name) =>
        {
            lifecycle.StartDetached(c);
            ctx.Out.Write(name + "\n");
        });
    }
}
