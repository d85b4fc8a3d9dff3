namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// <c>RUN [--mount=...] [--network=default|none|host] [--security=sandbox|insecure] command</c>.
/// The command is not expanded by the builder: the shell does that.
/// </summary>
public sealed record RunInstruction : Instruction
{
    public required CommandLine Command { get; init; }
    /// <summary>Here-documents the command line opened, in order.</summary>
    public IReadOnlyList<Heredoc> Heredocs { get; init; } = [];
    /// <summary>The <c>--mount</c> values as written (CSV, may hold variables; the planner parses them).</summary>
    public IReadOnlyList<string> MountSpecs { get; init; } = [];
    public string Network { get; init; } = "default";
    public string Security { get; init; } = "sandbox";
}
