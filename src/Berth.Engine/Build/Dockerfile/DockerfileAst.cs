namespace Berth.Engine.Build.Dockerfile;

/// <summary>One build stage: its FROM and the instructions up to the next FROM.</summary>
public sealed record DockerfileStage(int Index, FromInstruction From, IReadOnlyList<Instruction> Instructions)
{
    /// <summary>The <c>AS</c> name (lower-case) or null.</summary>
    public string? Name => From.StageName;
}

/// <summary>
/// A parsed Dockerfile: directives, every instruction in order, the same grouped into the global
/// ARGs (before the first FROM) and the stages, and the parser's warnings.
/// </summary>
public sealed record DockerfileAst
{
    public required string FileName { get; init; }
    public required ParserDirectives Directives { get; init; }
    public required IReadOnlyList<Instruction> Instructions { get; init; }
    /// <summary>ARG instructions before the first FROM: visible to FROM lines only.</summary>
    public required IReadOnlyList<ArgInstruction> GlobalArgs { get; init; }
    public required IReadOnlyList<DockerfileStage> Stages { get; init; }
    public IReadOnlyList<DockerfileWarning> Warnings { get; init; } = [];
    /// <summary>The physical lines of the file, without their line endings (for quoting in errors).</summary>
    public IReadOnlyList<string> Lines { get; init; } = [];

    public char EscapeToken => Directives.Escape;

    /// <summary>The text of 1-based <paramref name="line"/>, or "" outside the file.</summary>
    public string LineText(int line) => line >= 1 && line <= Lines.Count ? Lines[line - 1] : "";

    /// <summary>An error about <paramref name="at"/>, quoting its line.</summary>
    public DockerfileSyntaxException Error(SourceLocation at, string reason) => new(at, reason, LineText(at.Line));
}
