namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// One Dockerfile instruction as written: its keyword, where it is, the logical line (continuations
/// joined) and its raw <c>--flags</c>. Subtypes carry the parsed arguments, never yet expanded:
/// variable expansion belongs to the planner, which knows the ARG and ENV values in scope.
/// </summary>
public abstract record Instruction
{
    /// <summary>Upper-case keyword: <c>RUN</c>, <c>COPY</c>...</summary>
    public string Keyword { get; init; } = "";
    public SourceLocation Location { get; init; }
    /// <summary>Last physical line of the instruction, here-document bodies included.</summary>
    public int EndLine { get; init; }
    /// <summary>The logical line as written (continuations joined, trimmed): what docker prints as a step.</summary>
    public string Original { get; init; } = "";
    /// <summary>The <c>--name=value</c> flags as written, quotes removed.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    public override string ToString() => Original;
}

/// <summary>
/// The command of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD. Exec form (<c>["a","b"]</c>) keeps the
/// JSON strings; shell form is one element, the command text, run by the stage's SHELL.
/// </summary>
public sealed record CommandLine(IReadOnlyList<string> Args, bool IsExecForm)
{
    public bool PrependShell => !IsExecForm;
    public override string ToString() => IsExecForm ? "[" + string.Join(", ", Args.Select(a => "\"" + a + "\"")) + "]" : string.Join(" ", Args);
}

/// <summary>
/// A here-document: <c>&lt;&lt;EOF</c> (expanded), <c>&lt;&lt;"EOF"</c> or <c>&lt;&lt;'EOF'</c> (not
/// expanded), <c>&lt;&lt;-EOF</c> (leading tabs stripped). <see cref="Content"/> is the raw body,
/// every line with its newline.
/// </summary>
public sealed record Heredoc(string Name, string Content, bool Expand, bool Chomp, int FileDescriptor)
{
    /// <summary>The body after <c>&lt;&lt;-</c> tab stripping, when it applies.</summary>
    public string EffectiveContent => Chomp ? HeredocSyntax.StripLeadingTabs(Content) : Content;
}

/// <summary>One <c>key=value</c> of ENV or LABEL, raw (quotes and variables still in place).</summary>
public sealed record KeyValue(string Key, string Value, bool Legacy = false)
{
    public override string ToString() => Key + "=" + Value;
}
