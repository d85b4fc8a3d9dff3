namespace Berth.Engine.Build.Dockerfile;

/// <summary>A file a COPY or ADD writes from a here-document (<c>COPY &lt;&lt;EOF /file</c>).</summary>
public sealed record InlineFile(string Name, string Content, bool Expand);

/// <summary>What COPY and ADD share: sources, inline files, a destination and ownership flags.</summary>
public abstract record FileInstruction : Instruction
{
    /// <summary>Source paths (or URLs for ADD), raw.</summary>
    public required IReadOnlyList<string> Sources { get; init; }
    /// <summary>Sources given as here-documents.</summary>
    public IReadOnlyList<InlineFile> InlineFiles { get; init; } = [];
    public required string Destination { get; init; }
    public string? Chown { get; init; }
    public string? Chmod { get; init; }
    public bool Link { get; init; }
    /// <summary><c>--exclude</c> patterns (not expanded, as in BuildKit).</summary>
    public IReadOnlyList<string> Excludes { get; init; } = [];
    /// <summary>Written in JSON form (<c>COPY ["a b", "/dst/"]</c>).</summary>
    public bool IsJsonForm { get; init; }
}

/// <summary><c>COPY [--from=stage|index|image] [--chown] [--chmod] [--link] [--parents] [--exclude] src... dest</c>.</summary>
public sealed record CopyInstruction : FileInstruction
{
    /// <summary>The <c>--from</c> value: a stage name, a stage index, or an image reference.</summary>
    public string? From { get; init; }
    public bool Parents { get; init; }
}

/// <summary><c>ADD [--chown] [--chmod] [--checksum] [--keep-git-dir] [--link] [--unpack] [--exclude] src... dest</c>.</summary>
public sealed record AddInstruction : FileInstruction
{
    public string? Checksum { get; init; }
    /// <summary>Null when the flag was not given.</summary>
    public bool? KeepGitDir { get; init; }
    /// <summary>Null when the flag was not given (local archives unpack, URLs do not).</summary>
    public bool? Unpack { get; init; }
}
