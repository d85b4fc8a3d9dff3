using System.Text;

namespace Berth.Engine.Layers;

/// <summary>
/// Depth-first walk of a directory tree with each directory's names sorted by their bytes (the order
/// of docker's layers). Directories are opened relative to their parent without following symlinks,
/// so the walk never leaves the tree.
/// </summary>
internal sealed class TreeWalker
{
    /// <summary>
    /// Called for each entry: the open directory that holds it, its name, its path relative to the
    /// root ("a/b/name"; the span is valid during the call) and its lstat. Return true to descend into
    /// a directory.
    /// </summary>
    public delegate bool Visitor(int dirFd, ReadOnlySpan<byte> name, ReadOnlySpan<byte> relPath, in Posix.Statx st);

    private readonly Visitor _visit;
    private byte[] _path = new byte[1024];

    private TreeWalker(Visitor visit) => _visit = visit;

    /// <summary>Opens <paramref name="root"/> (O_RDONLY directory fd, caller closes) or throws.</summary>
    public static int OpenRoot(string root)
    {
        int fd = Posix.OpenAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(root), Posix.O_RDONLY | Posix.O_DIRECTORY);
        if (fd < 0) throw new BerthException($"cannot open directory {root}: {Posix.Describe(Posix.Errno)}");
        return fd;
    }

    /// <summary>Walks everything below the open directory <paramref name="rootFd"/> (the root itself is not visited).</summary>
    public static void Walk(int rootFd, Visitor visit) => new TreeWalker(visit).WalkDir(rootFd, 0);

    private void WalkDir(int dirFd, int pathLength)
    {
        foreach (var name in DirEntries.ReadSorted(dirFd))
        {
            if (Posix.StatAt(dirFd, name, out var st) != 0)
            {
                int errno = Posix.Errno;
                if (errno == Posix.ENOENT) continue; // removed while we walked
                throw new BerthException($"cannot stat {Encoding.UTF8.GetString(name)}: {Posix.Describe(errno)}", BerthException.EngineError);
            }
            int length = Append(pathLength, name);
            if (!_visit(dirFd, name, _path.AsSpan(0, length), st) || !st.IsDir) continue;
            int child = Posix.OpenAt(dirFd, name, Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_NOFOLLOW);
            if (child < 0)
                throw new BerthException($"cannot open directory {Encoding.UTF8.GetString(_path.AsSpan(0, length))}: {Posix.Describe(Posix.Errno)}", BerthException.EngineError);
            try
            {
                WalkDir(child, length);
            }
            finally
            {
                Posix.Close(child);
            }
        }
    }

    private int Append(int pathLength, ReadOnlySpan<byte> name)
    {
        int needed = pathLength + 1 + name.Length;
        if (_path.Length < needed) Array.Resize(ref _path, Math.Max(needed, _path.Length * 2));
        int at = pathLength;
        if (at > 0) _path[at++] = (byte)'/';
        name.CopyTo(_path.AsSpan(at));
        return at + name.Length;
    }
}
