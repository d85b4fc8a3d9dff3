namespace Berth.Engine;

/// <summary>
/// The one error convention of the engine: a message fit to show a user on one line, and the exit
/// code the CLI returns for it (1 for bad input, 125 for engine failures, as docker does).
/// </summary>
public class BerthException : Exception
{
    public const int UserError = 1;
    public const int EngineError = 125;

    public int ExitCode { get; }

    public BerthException(string message, int exitCode = UserError, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;
}

/// <summary>Something named by the user does not exist ("No such image: x").</summary>
public sealed class NotFoundException(string message) : BerthException(message);

/// <summary>Content whose digest or size does not match what was promised.</summary>
public sealed class DigestMismatchException(string message) : BerthException(message);
