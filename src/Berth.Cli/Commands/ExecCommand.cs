using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

/// <summary><c>berth exec</c>: run a command in a running container.</summary>
internal static class ExecCommand
{
    public static readonly CommandSpec Spec = new("exec", "Execute a command in a running container", Run)
    {
        Usage = "[OPTIONS] CONTAINER COMMAND [ARG...]",
        MinArgs = 2,
        StopAtFirstArg = true,
        Options =
        [
            OptionSpec.Flag("detach", 'd', "Detached mode: run command in the background"),
            OptionSpec.List("env", 'e', "Set environment variables"),
            OptionSpec.List("env-file", "Read in a file of environment variables"),
            OptionSpec.Flag("interactive", 'i', "Keep STDIN open even if not attached"),
            OptionSpec.Flag("privileged", "Give extended privileges to the command"),
            OptionSpec.Flag("tty", 't', "Allocate a pseudo-TTY"),
            OptionSpec.Value("user", 'u', "Username or UID (format: \"<name|uid>[:<group|gid>]\")"),
            OptionSpec.Value("workdir", 'w', "Working directory inside the container"),
            OptionSpec.Value("detach-keys", "Override the key sequence for detaching a container") with { Hidden = true },
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var options = new ExecOptions
        {
            Args = a.Args.Skip(1).ToList(),
            Interactive = a.Flag("interactive"),
            Tty = a.Flag("tty"),
            Detach = a.Flag("detach"),
            Env = ContainerOptions.ReadEnv(a),
            User = a.Value("user"),
            WorkingDir = a.Value("workdir"),
            Privileged = a.Flag("privileged"),
        };
        if (options.Tty && options.Interactive && !Terminal.IsTerminal(0))
        {
            ctx.Err.WriteLine("the input device is not a TTY");
            return 1;
        }
        var service = ContainerCli.Service(ctx);
        var c = service.Get(a.Arg(0));
        ctx.Out.Flush();
        try
        {
            return new ContainerExec(service).Run(c, options);
        }
        catch (BerthException e) when (e.ExitCode is 126 or 127)
        {
            // docker prints the runtime's complaint and exits with its code.
            ctx.Err.WriteLine("OCI runtime exec failed: " + e.Message);
            return e.ExitCode;
        }
    }
}
