using System.Text;

namespace Berth.Engine.Layers;

/// <summary>
/// A directory tree that acts as "/": every path is resolved by the kernel with openat2
/// RESOLVE_IN_ROOT, so symlinks (absolute or relative, chained) and ".." never lead outside it.
/// Operations then work on (parent fd, last name) and never follow the last name. The parent of the
/// previous entry is cached: layer tars list siblings together.
/// </summary>
internal sealed class RootedDir : IDisposable
{
    private byte[] _cachedPath = new byte[256];
    private int _cachedLength = -1;
    private int _cachedFd = -1;

    public RootedDir(string root)
    {
        Root = root;
        RootFd = Posix.OpenAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(root), Posix.O_PATH | Posix.O_DIRECTORY);
        if (RootFd < 0)
            throw new BerthException($"cannot open directory {root}: {Posix.Describe(Posix.Errno)}", BerthException.EngineError);
    }

    public string Root { get; }
    public int RootFd { get; }

    /// <summary>Called for each directory created because an entry's parent was missing.</summary>
    public ImplicitDirHandler? OnImplicitDir { get; set; }

    public delegate void ImplicitDirHandler(int parentFd, ReadOnlySpan<byte> name, ReadOnlySpan<byte> path);

    /// <summary>
    /// An O_PATH fd of the directory <paramref name="path"/> (clean, relative), owned by this object
    /// (do not close it; it stays valid until the next call or <see cref="Invalidate"/>). Missing
    /// directories are created when <paramref name="create"/>; otherwise returns -1 with errno set.
    /// </summary>
    public int Parent(ReadOnlySpan<byte> path, bool create)
    {
        if (path.IsEmpty) return RootFd;
        if (_cachedLength == path.Length && _cachedPath.AsSpan(0, _cachedLength).SequenceEqual(path)) return _cachedFd;
        int fd = Posix.OpenInRoot(RootFd, path, Posix.O_PATH | Posix.O_DIRECTORY);
        if (fd < 0)
        {
            int errno = Posix.Errno;
            if (errno == Posix.ENOSYS)
                throw new BerthException("layer apply needs openat2 (Linux 5.6 or newer)", BerthException.EngineError);
            if (errno != Posix.ENOENT || !create) return -1;
            fd = CreateDirs(path);
        }
        Invalidate();
        if (_cachedPath.Length < path.Length) _cachedPath = new byte[path.Length * 2];
        path.CopyTo(_cachedPath);
        _cachedLength = path.Length;
        _cachedFd = fd;
        return fd;
    }

    /// <summary>An O_PATH fd of a directory that the caller closes, or -1 with errno set.</summary>
    public int OpenDir(ReadOnlySpan<byte> path) =>
        path.IsEmpty ? Posix.OpenAt(RootFd, "."u8, Posix.O_PATH | Posix.O_DIRECTORY)
                     : Posix.OpenInRoot(RootFd, path, Posix.O_PATH | Posix.O_DIRECTORY);

    /// <summary>Forgets the cached parent: call after anything was removed.</summary>
    public void Invalidate()
    {
        if (_cachedFd >= 0) Posix.Close(_cachedFd);
        _cachedFd = -1;
        _cachedLength = -1;
    }

    /// <summary>
    /// Tells the cache that parent/leaf was removed; returns true when that dropped the cached
    /// directory (then fds from <see cref="Parent"/> are stale and must be fetched again).
    /// </summary>
    public bool Removed(ReadOnlySpan<byte> parent, ReadOnlySpan<byte> leaf)
    {
        if (_cachedLength < 0) return false;
        var cached = _cachedPath.AsSpan(0, _cachedLength);
        int removedLength = parent.IsEmpty ? leaf.Length : parent.Length + 1 + leaf.Length;
        bool under = cached.Length >= removedLength
            && (cached.Length == removedLength || cached[removedLength] == '/')
            && (parent.IsEmpty
                ? cached.StartsWith(leaf)
                : cached.StartsWith(parent) && cached[parent.Length] == '/' && cached[(parent.Length + 1)..].StartsWith(leaf));
        if (under) Invalidate();
        return under;
    }

    /// <summary>
    /// Creates the missing directories of <paramref name="path"/>. A component that is a dangling
    /// symlink is followed as in a chroot (its target is created inside the root), as docker does.
    /// Every open still goes through RESOLVE_IN_ROOT; mkdirat only ever gets a single name.
    /// </summary>
    private int CreateDirs(ReadOnlySpan<byte> path, int depth = 0)
    {
        if (depth > 40) throw Fail(path, "too many levels of symbolic links creating directory");
        int parent = RootFd;
        int start = 0;
        try
        {
            while (true)
            {
                int slash = path[start..].IndexOf((byte)'/');
                int end = slash < 0 ? path.Length : start + slash;
                var prefix = path[..end];
                var name = path[start..end];
                int fd = Posix.OpenInRoot(RootFd, prefix, Posix.O_PATH | Posix.O_DIRECTORY);
                if (fd < 0 && Posix.Errno == Posix.ENOENT)
                {
                    if (Posix.MkdirAt(parent, name, 0b111_101_101) == 0)
                    {
                        OnImplicitDir?.Invoke(parent, name, prefix);
                        fd = Posix.OpenInRoot(RootFd, prefix, Posix.O_PATH | Posix.O_DIRECTORY);
                    }
                    else if (Posix.Errno == Posix.EEXIST && FollowDangling(parent, path, start, end, out var resolved))
                        return CreateDirs(resolved, depth + 1);
                }
                if (fd < 0) throw Fail(prefix, "cannot create directory");
                if (parent != RootFd) Posix.Close(parent);
                parent = RootFd;
                if (end == path.Length) return fd;
                parent = fd;
                start = end + 1;
            }
        }
        finally
        {
            if (parent != RootFd) Posix.Close(parent);
        }
    }

    /// <summary>When path[start..end] is a symlink in <paramref name="parent"/>, the path with it replaced by its target.</summary>
    private static bool FollowDangling(int parent, ReadOnlySpan<byte> path, int start, int end, out byte[] resolved)
    {
        resolved = [];
        var name = path[start..end];
        if (Posix.StatAt(parent, name, out var st) != 0 || st.Type != Posix.S_IFLNK) return false;
        var target = new byte[4096];
        int n = Posix.ReadlinkAt(parent, name, target);
        if (n <= 0) return false;
        var rest = path[end..];
        var joined = new List<byte>();
        if (target[0] != '/') joined.AddRange(path[..start].ToArray());
        joined.AddRange(target.AsSpan(0, n).ToArray());
        joined.AddRange(rest.ToArray());
        var buffer = new byte[joined.Count];
        TarPath.Clean(joined.ToArray(), ref buffer, out int length, chroot: true);
        resolved = buffer[..length];
        return length > 0;
    }

    private BerthException Fail(ReadOnlySpan<byte> path, string what) =>
        new($"layer tar: {what} '{Encoding.UTF8.GetString(path)}' under {Root}: {Posix.Describe(Posix.Errno)}");

    /// <summary>Removes <paramref name="name"/> in <paramref name="dirfd"/>, recursively if it is a directory (never following symlinks).</summary>
    public void Remove(int dirfd, ReadOnlySpan<byte> name)
    {
        Invalidate();
        RemoveTree(dirfd, name);
    }

    /// <summary>Returns 0, or the errno of the first failure (ENOENT when nothing was there).</summary>
    public static int RemoveTree(int dirfd, ReadOnlySpan<byte> name)
    {
        if (Posix.UnlinkAt(dirfd, name, 0) == 0) return 0;
        int errno = Posix.Errno;
        if (errno != Posix.EISDIR && errno != Posix.EPERM) return errno;
        int fd = Posix.OpenAt(dirfd, name, Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_NOFOLLOW);
        if (fd < 0) return Posix.Errno;
        try
        {
            foreach (var child in DirEntries.Read(fd))
            {
                int e = RemoveTree(fd, child);
                if (e != 0 && e != Posix.ENOENT) return e;
            }
        }
        finally
        {
            Posix.Close(fd);
        }
        return Posix.UnlinkAt(dirfd, name, Posix.AT_REMOVEDIR) == 0 ? 0 : Posix.Errno;
    }

    public void Dispose()
    {
        Invalidate();
        Posix.Close(RootFd);
    }
}
