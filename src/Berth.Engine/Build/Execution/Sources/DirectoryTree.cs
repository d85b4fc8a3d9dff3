using System.Text;
using Berth.Engine.Layers;
using Microsoft.Win32.SafeHandles;

namespace Berth.Engine.Build.Execution.Sources;

/// <summary>
/// A directory on the host as a source tree. Every path is opened with openat2 RESOLVE_IN_ROOT
/// from the root's descriptor, so even a tree changed while it is read (a symlink swapped in) never
/// leads outside it.
/// </summary>
public sealed class DirectoryTree : ISourceTree
{
    private readonly int _rootFd;

    public DirectoryTree(string root, string description)
    {
        Root = root;
        Description = description;
        _rootFd = Posix.OpenAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(root), Posix.O_PATH | Posix.O_DIRECTORY);
        if (_rootFd < 0) throw new BerthException($"cannot open {description} {root}: {Posix.Describe(Posix.Errno)}");
    }

    public string Root { get; }
    public string Description { get; }

    public SourceStat? Lstat(string path)
    {
        int parent = OpenParent(path, out var leaf);
        if (parent < 0) return null;
        try
        {
            if (Posix.StatAt(parent, leaf, out var st) != 0) return null;
            return ToStat(st);
        }
        finally
        {
            if (parent != _rootFd) Posix.Close(parent);
        }
    }

    public IReadOnlyList<string> List(string dir)
    {
        int fd = dir.Length == 0
            ? Posix.OpenAt(_rootFd, "."u8, Posix.O_RDONLY | Posix.O_DIRECTORY)
            : Posix.OpenInRoot(_rootFd, Encoding.UTF8.GetBytes(dir), Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_NOFOLLOW);
        if (fd < 0) throw Fail(dir, "cannot list");
        try
        {
            var names = DirEntries.Read(fd).Select(n => Encoding.UTF8.GetString(n)).ToList();
            names.Sort(StringComparer.Ordinal);
            return names;
        }
        finally
        {
            Posix.Close(fd);
        }
    }

    public Stream OpenRead(string path)
    {
        int fd = Posix.OpenInRoot(_rootFd, Encoding.UTF8.GetBytes(path), Posix.O_RDONLY | Posix.O_NOFOLLOW);
        if (fd < 0) throw Fail(path, "cannot open");
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 0);
    }

    public string ReadLink(string path)
    {
        int parent = OpenParent(path, out var leaf);
        if (parent < 0) throw Fail(path, "cannot read the symlink");
        try
        {
            var buffer = new byte[4096];
            int n = Posix.ReadlinkAt(parent, leaf, buffer);
            if (n < 0) throw Fail(path, "cannot read the symlink");
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        finally
        {
            if (parent != _rootFd) Posix.Close(parent);
        }
    }

    /// <summary>The parent directory's descriptor (the root's own for top-level names) and the last name.</summary>
    private int OpenParent(string path, out byte[] leaf)
    {
        leaf = Encoding.UTF8.GetBytes(TreePaths.Name(path));
        var parent = TreePaths.Parent(path);
        if (parent.Length == 0) return _rootFd;
        return Posix.OpenInRoot(_rootFd, Encoding.UTF8.GetBytes(parent), Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_NOFOLLOW);
    }

    internal static SourceStat ToStat(in Posix.Statx st) => new(st.Type switch
    {
        Posix.S_IFDIR => SourceKind.Directory,
        Posix.S_IFLNK => SourceKind.Symlink,
        Posix.S_IFCHR => SourceKind.CharDevice,
        Posix.S_IFBLK => SourceKind.BlockDevice,
        Posix.S_IFIFO => SourceKind.Fifo,
        Posix.S_IFSOCK => SourceKind.Socket,
        _ => SourceKind.File,
    }, st.Mode & 0xFFF, st.Uid, st.Gid, (long)st.Size, st.MtimeSec)
    {
        DevMajor = (int)st.RdevMajor,
        DevMinor = (int)st.RdevMinor,
        Identity = (((ulong)st.DevMajor << 32) | st.DevMinor, st.Ino),
        Links = st.Nlink,
        MtimeNs = st.MtimeSec * 1_000_000_000 + st.MtimeNsec,
        CtimeNs = st.CtimeSec * 1_000_000_000 + st.CtimeNsec,
    };

    private BerthException Fail(string path, string what) =>
        new($"{what} {(path.Length == 0 ? "/" : path)} in the {Description}: {Posix.Describe(Posix.Errno)}");

    public void Dispose() => Posix.Close(_rootFd);
}
