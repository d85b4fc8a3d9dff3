namespace Berth.Cli.CommandLine;

/// <summary>
/// One command: its name, options, argument count and handler. A command with
/// <see cref="Subcommands"/> is a group (<c>berth image ...</c>) and has no handler of its own.
/// </summary>
public sealed record CommandSpec
{
    public CommandSpec(string name, string summary, Func<CliContext, ParsedArgs, int>? run = null)
    {
        Name = name;
        Summary = summary;
        Run = run;
    }

    public string Name { get; init; }
    public string Summary { get; init; }
    public Func<CliContext, ParsedArgs, int>? Run { get; init; }
    public string[] Aliases { get; init; } = [];
    /// <summary>The part of the usage line after the command path, e.g. <c>[OPTIONS] IMAGE [COMMAND] [ARG...]</c>.</summary>
    public string Usage { get; init; } = "[OPTIONS]";
    public IReadOnlyList<OptionSpec> Options { get; init; } = [];
    public int MinArgs { get; init; }
    public int MaxArgs { get; init; } = int.MaxValue;
    /// <summary>Stop reading options at the first argument (<c>run IMAGE CMD --flag</c> passes --flag to CMD).</summary>
    public bool StopAtFirstArg { get; init; }
    public IReadOnlyList<CommandSpec> Subcommands { get; init; } = [];
    public bool Hidden { get; init; }

    /// <summary>The same command under another name, e.g. <c>rmi</c> as <c>image rm</c>.</summary>
    public CommandSpec As(string name, params string[] aliases) => this with { Name = name, Aliases = aliases, Hidden = false };

    public bool IsNamed(string word) => Name == word || Aliases.Contains(word);
}
