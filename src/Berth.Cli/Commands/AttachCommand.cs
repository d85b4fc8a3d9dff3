using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

/// <summary><c>berth attach</c>: our stdio to a detached container's, through its monitor.</summary>
internal static class AttachCommand
{
    public static readonly CommandSpec Spec = new("attach", "Attach local standard input, output, and error streams to a running container", Run)
    {
        Usage = "[OPTIONS] CONTAINER",
        MinArgs = 1,
        MaxArgs = 1,
        Options =
        [
            OptionSpec.Flag("no-stdin", "Do not attach STDIN"),
            OptionSpec.Flag("sig-proxy", "Proxy all received signals to the process (default true)"),
            OptionSpec.Value("detach-keys", "Override the key sequence for detaching a container"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        var c = service.Get(a.Arg(0));
        if (!c.Running) throw new BerthException("You cannot attach to a stopped container, start it first");
        using var client = AttachClient.Connect(service.Paths(c.Id).Dir)
            ?? throw new BerthException($"cannot attach to container {a.Arg(0)}: its monitor does not answer", BerthException.EngineError);
        ctx.Out.Flush();
        bool stdin = c.Spec.OpenStdin && !a.Flag("no-stdin");
        using var raw = c.Spec.Tty && stdin ? Terminal.MakeRaw(0) : null;
        return client.Run(1, 2, stdin ? 0 : -1) ?? service.Get(c.Id).ExitCode;
    }
}
