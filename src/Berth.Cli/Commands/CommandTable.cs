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

    public static CommandSpec Root { get; } = new("berth", "A container engine: build, run, push and pull OCI images")
    {
        Subcommands =
        [
            VersionCommand.Spec,
            RegistryCommand.Spec,
        ],
    };
}
