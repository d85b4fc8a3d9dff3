namespace Berth.Engine.Build.Execution.Sources;

public enum SourceKind { File, Directory, Symlink, CharDevice, BlockDevice, Fifo, Socket }

/// <summary>What a COPY needs to know of one entry: its kind, permission bits, owner, size, mtime and identity.</summary>
public readonly record struct SourceStat(SourceKind Kind, int Mode, long Uid, long Gid, long Size, long MtimeSeconds)
{
    public int DevMajor { get; init; }
    public int DevMinor { get; init; }
    /// <summary>Device and inode, for hard links (0 when the tree cannot tell).</summary>
    public (ulong Dev, ulong Ino) Identity { get; init; }
    public uint Links { get; init; } = 1;
    /// <summary>mtime and ctime in nanoseconds, when the tree knows them (0 otherwise): what a content digest may be remembered by.</summary>
    public long MtimeNs { get; init; }
    public long CtimeNs { get; init; }
    public bool IsDirectory => Kind == SourceKind.Directory;
}

/// <summary>
/// A read-only tree files are copied from: the build context (a directory or a tar), or the root
/// filesystem of a stage or image. Paths are clean, relative, '/'-separated ("" is the root), and
/// no operation follows a symlink in the last name; <see cref="TreePaths"/> resolves symlinks
/// inside the tree, never outside it.
/// </summary>
public interface ISourceTree : IDisposable
{
    /// <summary>A short description for errors ("build context", "stage builder").</summary>
    string Description { get; }
    /// <summary>lstat of <paramref name="path"/>, or null when nothing is there (or a parent is not a directory).</summary>
    SourceStat? Lstat(string path);
    /// <summary>The names in directory <paramref name="dir"/>, sorted by ordinal.</summary>
    IReadOnlyList<string> List(string dir);
    Stream OpenRead(string path);
    string ReadLink(string path);
}
