using Berth.Engine.Build.Dockerfile;

namespace Berth.Engine.Build.Execution;

/// <summary>
/// A step that cannot run with what it was given (a COPY source missing or outside the context,
/// an unknown user): one line naming the Dockerfile line, with the line itself for the CLI to quote.
/// </summary>
public sealed class BuildStepException(SourceLocation location, string reason, string sourceLine, int exitCode = BerthException.UserError)
    : BerthException($"{location.File}:{location.Line}: {reason}", exitCode)
{
    public SourceLocation Location { get; } = location;
    public string Reason { get; } = reason;
    public string SourceLine { get; } = sourceLine;
}

/// <summary>A RUN whose command failed: docker's message, <c>The command '/bin/sh -c exit 7' returned a non-zero code: 7</c>.</summary>
public sealed class RunFailedException(string command, int code)
    : BerthException($"The command '{command}' returned a non-zero code: {code}", UserError)
{
    public int CommandExitCode { get; } = code;
}
