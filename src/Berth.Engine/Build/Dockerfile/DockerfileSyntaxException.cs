namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// A Dockerfile the builder cannot accept. The message is one line,
/// <c>Dockerfile:2:1: unknown instruction: COPYY (did you mean COPY?)</c>, and
/// <see cref="SourceLine"/> holds the offending line as written so the CLI can quote it below.
/// </summary>
public sealed class DockerfileSyntaxException : BerthException
{
    public SourceLocation Location { get; }
    /// <summary>What is wrong and how to fix it, without the location prefix.</summary>
    public string Reason { get; }
    /// <summary>The source line at <see cref="Location"/>, verbatim (may be empty).</summary>
    public string SourceLine { get; }

    public DockerfileSyntaxException(SourceLocation location, string reason, string sourceLine)
        : base($"{location}: {OneLine(reason)}", UserError)
    {
        Location = location;
        Reason = OneLine(reason);
        SourceLine = sourceLine;
    }

    private static string OneLine(string text) =>
        text.Contains('\n') || text.Contains('\r') ? text.Replace("\r", "\\r").Replace("\n", "\\n") : text;
}
