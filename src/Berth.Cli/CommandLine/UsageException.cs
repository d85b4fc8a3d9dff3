namespace Berth.Cli.CommandLine;

/// <summary>A command line that cannot be parsed; docker exits 125 for these.</summary>
public sealed class UsageException(string message, string? commandPath = null, int exitCode = 125) : Exception(message)
{
    public string? CommandPath { get; } = commandPath;
    public int ExitCode { get; } = exitCode;
}
