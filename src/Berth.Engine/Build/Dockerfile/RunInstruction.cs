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

    /// <summary>
    /// What to execute once here-documents are folded in, as BuildKit does. A command that is only
    /// <c>&lt;&lt;EOF</c> runs the body with the shell, or, when the body starts with <c>#!</c>,
    /// runs it as an executable file mounted at <c>/dev/pipes/EOF</c>. Any other command line gets
    /// its bodies appended after newlines, for the shell to read as real here-documents.
    /// </summary>
    public RunCommand Resolve()
    {
        if (Heredocs.Count == 0) return new RunCommand(Command.Args, Command.PrependShell, null);
        var line = Command.Args[0];
        if (HeredocSyntax.IsHeredoc(line, out _))
        {
            var doc = Heredocs[0];
            var body = doc.EffectiveContent;
            if (body.StartsWith("#!", StringComparison.Ordinal))
                return new RunCommand([RunCommand.PipesDirectory + doc.Name], false, new InlineFile(doc.Name, body, false));
            return new RunCommand([body], true, null);
        }
        var script = new System.Text.StringBuilder(line);
        foreach (var doc in Heredocs) script.Append('\n').Append(doc.Content).Append(doc.Name);
        return new RunCommand([script.ToString()], true, null);
    }
}

/// <summary>
/// A RUN ready to execute: <see cref="Args"/> after the stage's SHELL when <see cref="PrependShell"/>,
/// else as the process argv; <see cref="ScriptFile"/>, when set, must be written (mode 0755) under
/// <see cref="PipesDirectory"/> in a read-only mount for the duration of the step.
/// </summary>
public sealed record RunCommand(IReadOnlyList<string> Args, bool PrependShell, InlineFile? ScriptFile)
{
    public const string PipesDirectory = "/dev/pipes/";
}
