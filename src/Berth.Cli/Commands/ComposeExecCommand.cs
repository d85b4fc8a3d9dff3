using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Deploy;

namespace Berth.Cli.Commands;

/// <summary><c>compose exec SERVICE CMD...</c>: exec in a running replica of the service (the first, or --index).</summary>
internal static class ComposeExecCommand
{
    public static readonly CommandSpec Spec = new("exec", "Execute a command in a running container", Run)
    {
        Usage = "[OPTIONS] SERVICE COMMAND [ARGS...]",
        MinArgs = 2,
        StopAtFirstArg = true,
        Options =
        [
            OptionSpec.Flag("detach", 'd', "Detached mode: Run command in the background"),
            OptionSpec.List("env", 'e', "Set environment variables"),
            OptionSpec.Value("index", "Index of the container if service has multiple replicas", "int"),
            OptionSpec.Flag("no-TTY", 'T', "Disable pseudo-TTY allocation (default: auto-detected)"),
            OptionSpec.Flag("privileged", "Give extended privileges to the process"),
            OptionSpec.Value("user", 'u', "Run the command as this user"),
            OptionSpec.Value("workdir", 'w', "Path to workdir directory for this command"),
            .. ComposeCli.ProjectOptions,
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var project = ComposeCli.ProjectName(ctx, a);
        var service = a.Arg(0);
        var replicas = ComposeCli.Containers(ctx, project, [service]).Where(c => c.Running).ToList();
        int? index = a.Int("index");
        var c = (index is { } i ? replicas.FirstOrDefault(r => Replicas.Number(r) == i) : replicas.FirstOrDefault())
            ?? throw new BerthException($"service \"{service}\" is not running" + (index is null ? "" : $" with index {index}"));
        var args = new List<string>();
        bool tty = !a.Flag("no-TTY") && !Console.IsInputRedirected && !Console.IsOutputRedirected;
        if (tty) args.Add("-it");
        if (a.Flag("detach")) args.Add("-d");
        if (a.Flag("privileged")) args.Add("--privileged");
        foreach (var e in a.Values("env")) { args.Add("-e"); args.Add(e); }
        if (a.Value("user") is { } u) { args.Add("-u"); args.Add(u); }
        if (a.Value("workdir") is { } w) { args.Add("-w"); args.Add(w); }
        args.Add(c.Id);
        args.AddRange(a.Args.Skip(1));
        return ComposeCli.Invoke(ctx, ExecCommand.Spec, "berth exec", args);
    }
}
