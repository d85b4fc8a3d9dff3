namespace Berth.Cli.CommandLine;

public enum OptionKind
{
    /// <summary>A boolean switch: <c>-q</c>, <c>--rm</c>, <c>--rm=false</c>.</summary>
    Flag,
    /// <summary>Takes one value; given twice, the last wins.</summary>
    Value,
    /// <summary>Takes a value and may repeat: <c>-e A=1 -e B=2</c>.</summary>
    List,
}

/// <summary>One option of a command, in docker's (pflag's) conventions.</summary>
public sealed record OptionSpec(string Long, char? Short, OptionKind Kind, string Help, string? ValueName = null, string? Default = null)
{
    public static OptionSpec Flag(string name, char? shorthand, string help) => new(name, shorthand, OptionKind.Flag, help);
    public static OptionSpec Flag(string name, string help) => new(name, null, OptionKind.Flag, help);
    public static OptionSpec Value(string name, char? shorthand, string help, string valueName = "string", string? @default = null) =>
        new(name, shorthand, OptionKind.Value, help, valueName, @default);
    public static OptionSpec Value(string name, string help, string valueName = "string", string? @default = null) =>
        new(name, null, OptionKind.Value, help, valueName, @default);
    public static OptionSpec List(string name, char? shorthand, string help, string valueName = "list") =>
        new(name, shorthand, OptionKind.List, help, valueName);
    public static OptionSpec List(string name, string help, string valueName = "list") =>
        new(name, null, OptionKind.List, help, valueName);

    /// <summary>Accepted but hidden from help: old spellings kept for compatibility.</summary>
    public bool Hidden { get; init; }
}
