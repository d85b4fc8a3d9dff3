namespace Berth.Engine.Build.Dockerfile;

/// <summary>Where something is in a Dockerfile: file name as the user gave it, 1-based line and column.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>Something the parser accepted but that deserves a word to the user.</summary>
public sealed record DockerfileWarning(SourceLocation Location, string Rule, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}
