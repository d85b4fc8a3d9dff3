using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

/// <summary><c>berth create</c>: a container ready to start, its ID printed.</summary>
internal static class CreateCommand
{
    public static readonly CommandSpec Spec = new("create", "Create a new container", Run)
    {
        Usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
        MinArgs = 1,
        StopAtFirstArg = true,
        Options = ContainerOptions.Create,
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        try
        {
            var options = ContainerOptions.Parse(a);
            ContainerOptions.EnsureImage(ctx, a, options.Image);
            using var _ = ctx.Root.SharedLock();
            var created = new ContainerCreator(ContainerCli.Service(ctx)).Create(options);
            ctx.Out.Write(created.Container.Id + "\n");
            return 0;
        }
        catch (BerthException e) when (e.ExitCode == BerthException.UserError)
        {
            throw new BerthException(e.Message, BerthException.EngineError, e);
        }
    }
}
