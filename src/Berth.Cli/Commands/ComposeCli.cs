using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Compose;
using Berth.Engine.Containers;
using Berth.Engine.Deploy;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth compose [-f FILE]... [-p NAME] COMMAND</c>: the group dispatches itself so the project options may
/// stand before the subcommand (as docker compose has them); each subcommand also accepts them after it.
/// </summary>
internal static class ComposeCli
{
    public static readonly OptionSpec[] ProjectOptions =
    [
        OptionSpec.List("file", 'f', "Compose configuration files", "stringArray"),
        OptionSpec.Value("project-name", 'p', "Project name"),
        OptionSpec.Value("project-directory", "Specify an alternate working directory (default: the path of the first Compose file)"),
    ];

    private static IReadOnlyList<CommandSpec> Subcommands =>
    [
        ComposeUpCommand.Spec, ComposeDownCommand.Spec, ComposePsCommand.Spec, ComposeLogsCommand.Spec,
        ComposeImageCommands.Build, ComposeImageCommands.Pull, ComposeImageCommands.Push,
        ComposeRestartCommand.Spec, ComposeExecCommand.Spec, ComposeConfigCommand.Spec,
    ];

    public static readonly CommandSpec Group = new("compose", "Define and run multi-container applications", Dispatch)
    {
        Usage = "[OPTIONS] COMMAND",
        StopAtFirstArg = true,
        MinArgs = 1,
        Options = ProjectOptions,
        Subcommands = Subcommands,
    };

    [ThreadStatic] private static ParsedArgs? t_groupArgs;

    private static int Dispatch(CliContext ctx, ParsedArgs a)
    {
        var word = a.Arg(0);
        var sub = Subcommands.FirstOrDefault(c => c.IsNamed(word))
            ?? throw new UsageException($"unknown compose command \"{word}\": use one of {string.Join(", ", Subcommands.Select(s => s.Name))}", a.CommandPath);
        t_groupArgs = a;
        var parsed = ArgParser.Parse(sub, a.CommandPath + " " + sub.Name, a.Args.Skip(1).ToList());
        return sub.Run!(ctx, parsed);
    }

    /// <summary>A value given to the group (before the subcommand) or to the subcommand itself.</summary>
    private static IReadOnlyList<string> Values(ParsedArgs a, string name) => a.Values(name).Count > 0 ? a.Values(name) : t_groupArgs?.Values(name) ?? [];

    private static string? Value(ParsedArgs a, string name) => a.Value(name) ?? t_groupArgs?.Value(name);

    public static ComposeProject Load(CliContext ctx, ParsedArgs a, bool warn = true)
    {
        var dir = Value(a, "project-directory") is { } d ? Path.GetFullPath(d) : Directory.GetCurrentDirectory();
        var project = ComposeLoader.Load(new ComposeLoadOptions { Files = [.. Values(a, "file")], ProjectName = Value(a, "project-name"), WorkingDir = dir });
        if (warn) foreach (var w in project.Warnings) ctx.Err.WriteLine("WARN: " + w);
        return project;
    }

    /// <summary>The project name without reading the files when -p says it (down and ps work with the file gone).</summary>
    public static string ProjectName(CliContext ctx, ParsedArgs a) => Value(a, "project-name") ?? Load(ctx, a, warn: false).Name;

    public static Deployer Deployer(CliContext ctx, TextWriter? log = null) =>
        new(ContainerCli.Service(ctx), ProjectNetworkFor(ctx), new CliServiceImages(ctx), ContainerCli.SelfCommand(ctx.RootPath, LoadBalancerCommand.Name), log ?? ctx.Err);

    /// <summary>Networking's side of deploy (see IProjectNetwork).</summary>
    public static IProjectNetwork ProjectNetworkFor(CliContext ctx) => new BridgeProjectNetwork(NetworkCli.Service(ctx));

    /// <summary>Runs another berth command's handler in this process with the given arguments.</summary>
    public static int Invoke(CliContext ctx, CommandSpec spec, string path, IReadOnlyList<string> args) =>
        spec.Run!(ctx, ArgParser.Parse(spec, path, args));

    public static IReadOnlyList<Container> Containers(CliContext ctx, string project, IReadOnlyList<string> services)
    {
        var list = new Replicas(ContainerCli.Service(ctx), ProjectNetworkFor(ctx)).OfProject(project);
        return services.Count == 0 ? list : list.Where(c => services.Contains(c.Spec.Labels.GetValueOrDefault(ComposeLabels.Service) ?? "")).ToList();
    }
}
