using Berth.Cli.CommandLine;

namespace Berth.Cli.Commands;

/// <summary>Every command berth has, top-level and in management groups, as docker arranges them.</summary>
public static class CommandTable
{
    public static IReadOnlyList<OptionSpec> GlobalOptions { get; } =
    [
        OptionSpec.Value("root", "State directory (env BERTH_ROOT)", "string", "\"/var/lib/berth\""),
        OptionSpec.Flag("debug", 'D', "Enable debug mode"),
        OptionSpec.Value("log-level", 'l', "Set the logging level (accepted for docker compatibility)"),
        OptionSpec.Flag("version", 'v', "Print version information and quit"),
    ];

    private static readonly CommandSpec ImageGroup = new("image", "Manage images")
    {
        Subcommands =
        [
            BuildCommand.Spec,
            HistoryCommand.Spec,
            ImportCommand.Spec,
            ImageInspectCommand.Spec,
            LoadCommand.Spec,
            ImagesCommand.Spec.As("ls", "list"),
            ImagePruneCommand.Spec,
            PullCommand.Spec,
            PushCommand.Spec,
            RmiCommand.Spec.As("rm", "remove"),
            SaveCommand.Spec,
            TagCommand.Spec,
        ],
    };

    private static readonly CommandSpec ContainerGroup = new("container", "Manage containers")
    {
        Subcommands =
        [
            AttachCommand.Spec,
            CommitCommand.Spec,
            CpCommand.Spec,
            CreateCommand.Spec,
            DiffCommand.Spec,
            ExecCommand.Spec,
            ContainerInspectCommand.Spec,
            KillCommand.Spec,
            LogsCommand.Spec,
            PortCommand.Spec,
            PsCommand.Spec.As("ls", "ps", "list"),
            ContainerPruneCommand.Spec,
            RenameCommand.Spec,
            RestartCommand.Spec,
            RmCommand.Spec.As("rm", "remove"),
            RunCommand.Spec,
            StartCommand.Spec,
            StatsCommand.Spec,
            StopCommand.Spec,
            TopCommand.Spec,
            WaitCommand.Spec,
        ],
    };

    private static readonly CommandSpec SystemGroup = new("system", "Manage berth")
    {
        Subcommands =
        [
            SystemDfCommand.Spec,
            EventsCommand.Spec,
        ],
    };

    public static CommandSpec Root { get; } = new("berth", "A container engine: build, run, push and pull OCI images")
    {
        Subcommands =
        [
            // Management groups
            ContainerGroup,
            ImageGroup,
            SystemGroup,
            BuilderPruneCommand.Group,
            VolumeCommands.Group,
            NetworkCommands.Group,
            // Top-level shortcuts, as docker has them
            BuildCommand.Spec,
            HistoryCommand.Spec,
            ImagesCommand.Spec,
            ImportCommand.Spec,
            InspectCommand.Spec,
            LoadCommand.Spec,
            LoginCommand.Spec,
            LogoutCommand.Spec,
            PullCommand.Spec,
            PushCommand.Spec,
            RunCommand.Spec,
            CreateCommand.Spec,
            ExportCommand.Spec,
            MonitorCommand.Spec,
            AttachCommand.Spec,
            CommitCommand.Spec,
            CpCommand.Spec,
            DiffCommand.Spec,
            ExecCommand.Spec,
            KillCommand.Spec,
            LogsCommand.Spec,
            PsCommand.Spec,
            RenameCommand.Spec,
            RestartCommand.Spec,
            RmCommand.Spec,
            StartCommand.Spec,
            StatsCommand.Spec,
            StopCommand.Spec,
            TopCommand.Spec,
            WaitCommand.Spec,
            RmiCommand.Spec,
            SaveCommand.Spec,
            TagCommand.Spec,
            VersionCommand.Spec,
            RegistryCommand.Spec,
            ComposeCli.Group,
            DeployCommand.Spec,
            RollbackCommand.Spec,
            LoadBalancerCommand.Spec,
            PortCommand.Spec,
            EventsCommand.Spec,
            DnsCommand.Spec,
        ],
    };
}
