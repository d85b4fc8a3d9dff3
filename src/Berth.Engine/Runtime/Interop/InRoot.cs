using System.Runtime.InteropServices;
using System.Text;

namespace Berth.Engine.Runtime.Interop;

/// <summary>
/// Path resolution confined to a directory, as if it were "/" (openat2 with RESOLVE_IN_ROOT). A path is
/// resolved to its parent directory, opened, plus the last name: <see cref="Path"/> then names the file
/// through the parent's descriptor, so a symlink at the end is not followed and nothing leads outside.
/// </summary>
public sealed unsafe class InRoot : IDisposable
{
    private const ulong RESOLVE_IN_ROOT = 0x10;
    private const long SYS_openat2 = 437;
    private int _parent;
    private readonly string _leaf;

    private InRoot(int parent, string leaf)
    {
        _parent = parent;
        _leaf = leaf;
    }

    /// <summary>The file as a path the host can open: /proc/self/fd/N/leaf (or /proc/self/fd/N/. for the root).</summary>
    public string Path => _leaf.Length == 0 ? $"/proc/self/fd/{_parent}/." : $"/proc/self/fd/{_parent}/{_leaf}";

    public FileStat.Info? Stat() => FileStat.Lstat(Path);

    /// <summary>Resolves <paramref name="path"/>'s parent inside <paramref name="root"/>; null when the parent does not exist.</summary>
    public static InRoot? Open(string root, string path)
    {
        var clean = "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "."));
        if (clean.Split('/').Contains("..")) clean = System.IO.Path.GetFullPath(clean);
        string parent = clean == "/" ? "/" : System.IO.Path.GetDirectoryName(clean)!;
        string leaf = clean == "/" ? "" : System.IO.Path.GetFileName(clean);
        int fd = OpenDir(root, parent);
        return fd < 0 ? null : new InRoot(fd, leaf);
    }

    private static int OpenDir(string root, string dir)
    {
        int rootFd = Libc.open(root, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (rootFd < 0) throw new BerthException($"cannot open {root}: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
        try
        {
            var rel = dir.Trim('/');
            if (rel.Length == 0) rel = ".";
            var how = new OpenHow { Flags = (ulong)(Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC), Resolve = RESOLVE_IN_ROOT };
            var bytes = Encoding.UTF8.GetBytes(rel + "\0");
            fixed (byte* p = bytes)
            {
                int fd = (int)Libc.syscall4((nint)SYS_openat2, rootFd, (nint)p, (nint)(&how), sizeof(OpenHow));
                if (fd >= 0) return fd;
                int errno = Libc.Errno;
                if (errno is 2 or 20 /* ENOENT, ENOTDIR */) return -1;
                throw new BerthException($"cannot open {dir} in the container: {Libc.Error(errno)}");
            }
        }
        finally { Libc.close(rootFd); }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags, Mode, Resolve;
    }

    public void Dispose()
    {
        if (_parent >= 0) Libc.close(_parent);
        _parent = -1;
    }
}
