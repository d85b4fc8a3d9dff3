using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Containers;
using Berth.Engine.Runtime;

namespace Berth.Cli.Commands;

/// <summary><c>berth run</c>: create a container and start it, in the foreground (the CLI is its monitor) or detached.</summary>
internal static class RunCommand
{
    public static readonly CommandSpec Spec = new("run", "Create and run a new container from an image", Run)
    {
        Usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
        MinArgs = 1,
        StopAtFirstArg = true,
        Options = [OptionSpec.Flag("detach", 'd', "Run container in background and print container ID"), .. ContainerOptions.Create],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        // docker run answers every failure before the container runs with 125.
        try { return RunContainer(ctx, a); }
        catch (BerthException e) when (e.ExitCode == BerthException.UserError) { throw new BerthException(e.Message, BerthException.EngineError, e); }
        catch (TtyRequiredException e)
        {
            ctx.Err.WriteLine(e.Message);
            return 1;
        }
    }

    private static int RunContainer(CliContext ctx, ParsedArgs a)
    {
        Phases.Mark("run: arguments parsed");
        var options = ContainerOptions.Parse(a);
        ContainerOptions.EnsureImage(ctx, a, options.Image);
        bool detach = a.Flag("detach");
        if (options.Tty && options.OpenStdin && !detach && !Terminal.IsTerminal(0))
            throw new TtyRequiredException();
        var service = ContainerCli.Service(ctx);
        ContainerCreator.Created created;
        using (ctx.Root.SharedLock())
            created = new ContainerCreator(service).Create(options);
        var container = created.Container;
        var lifecycle = new ContainerLifecycle(service);
        if (detach)
        {
            lifecycle.StartDetached(container);
            ctx.Out.Write(container.Id + "\n");
            return 0;
        }
        ctx.Out.Flush();
        if (options.RestartPolicy.Name != "no")
        {
            // A restart policy needs a monitor that outlives us: attach to it instead of running here.
            using var client = lifecycle.StartDetached(container, attach: true)!;
            return client.Run(1, 2, options.OpenStdin ? 0 : -1) ?? service.Get(container.Id).ExitCode;
        }
        try
        {
            return new ForegroundRun(service).Run(container, created.Spec, options.OpenStdin);
        }
        catch (BerthException) when (options.AutoRemove)
        {
            lifecycle.Delete(service.Store.Get(container.Id) ?? container, volumes: true);
            throw;
        }
    }
}

/// <summary>docker's answer to -it without a terminal on stdin; it exits 1, not 125.</summary>
internal sealed class TtyRequiredException() : Exception("the input device is not a TTY");
