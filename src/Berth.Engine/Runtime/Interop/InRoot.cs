using System.Runtime.InteropServices;
using System.Text;

namespace Berth.Engine.Runtime.Interop;

/// <summary>Path resolution confined to a directory, as if it were "/" (openat2 with RESOLVE_IN_ROOT).</summary>
public static unsafe partial class InRoot
{
    private const ulong RESOLVE_IN_ROOT = 0x10;
    private const long SYS_openat2 = 437;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags, Mode, Resolve;
    }

    /// <summary>An O_PATH descriptor of <paramref name="path"/> inside <paramref name="root"/>, or null if it does not exist.</summary>
    public static int? Resolve(string root, string path)
    {
        int rootFd = Libc.open(root, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (rootFd < 0) throw new BerthException($"cannot open {root}: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
        try
        {
            var rel = path.Trim('/');
            if (rel.Length == 0) rel = ".";
            var how = new OpenHow { Flags = (ulong)(Libc.O_PATH | Libc.O_CLOEXEC), Resolve = RESOLVE_IN_ROOT };
            var bytes = Encoding.UTF8.GetBytes(rel + "\0");
            fixed (byte* p = bytes)
            {
                int fd = (int)Libc.syscall4((nint)SYS_openat2, rootFd, (nint)p, (nint)(&how), sizeof(OpenHow));
                if (fd >= 0) return fd;
                int errno = Libc.Errno;
                if (errno is 2 or 20 /* ENOENT, ENOTDIR */) return null;
                throw new BerthException($"cannot open {path} in the container: {Libc.Error(errno)}");
            }
        }
        finally { Libc.close(rootFd); }
    }

    /// <summary>The magic link that names an open descriptor's file.</summary>
    public static string FdPath(int fd) => $"/proc/self/fd/{fd}";
}
