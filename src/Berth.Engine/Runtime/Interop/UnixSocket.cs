using System.Text;

namespace Berth.Engine.Runtime.Interop;

/// <summary>Unix stream sockets by path. Long paths are reached through a directory descriptor
/// (<c>/proc/self/fd/N/name</c>), since a socket address holds at most 107 bytes.</summary>
internal static unsafe class UnixSocket
{
    public static int Listen(string dir, string name)
    {
        int dirFd = Fds.Open(dir, Libc.O_RDONLY | Libc.O_DIRECTORY);
        try
        {
            var path = $"/proc/self/fd/{dirFd}/{name}";
            File.Delete(Path.Combine(dir, name));
            int fd = Fds.Lift(Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0));
            if (fd < 0) throw Fds.Failure("socket");
            if (WithAddress(path, (a, l) => Libc.bind(fd, (byte*)a, l)) != 0 || Libc.listen(fd, 16) != 0)
            {
                var e = Fds.Failure("listen on " + Path.Combine(dir, name));
                Libc.close(fd);
                throw e;
            }
            return fd;
        }
        finally { Fds.Close(ref dirFd); }
    }

    /// <summary>Connects; -1 when nothing listens there.</summary>
    public static int Connect(string dir, string name)
    {
        int dirFd;
        try { dirFd = Fds.Open(dir, Libc.O_RDONLY | Libc.O_DIRECTORY); }
        catch (BerthException) { return -1; }
        try
        {
            int fd = Fds.Lift(Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0));
            if (WithAddress($"/proc/self/fd/{dirFd}/{name}", (a, l) => Libc.connect(fd, (byte*)a, l)) == 0) return fd;
            Libc.close(fd);
            return -1;
        }
        finally { Fds.Close(ref dirFd); }
    }

    public static int Accept(int listenFd) => Libc.accept4(listenFd, null, null, Libc.SOCK_CLOEXEC);

    private static int WithAddress(string path, Func<nint, int, int> call)
    {
        Span<byte> addr = stackalloc byte[110];
        addr.Clear();
        addr[0] = 1; // AF_UNIX (sa_family_t, little-endian)
        int n = Encoding.UTF8.GetBytes(path, addr[2..108]);
        fixed (byte* p = addr) return call((nint)p, 2 + n + 1);
    }
}
