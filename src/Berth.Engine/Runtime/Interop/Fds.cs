using System.Text;

namespace Berth.Engine.Runtime.Interop;

/// <summary>Raw descriptors: pipes and socket pairs made close-on-exec, and whole reads and writes.</summary>
internal static unsafe class Fds
{
    /// <summary>Below this the spawner places a child's descriptors (0-2 stdio, 3 config, 4 sync);
    /// our own descriptors are moved above it so the child's dup2 plan never overwrites one.</summary>
    public const int SafeFloor = 10;

    public static (int Read, int Write) Pipe()
    {
        int* p = stackalloc int[2];
        if (Libc.pipe2(p, Libc.O_CLOEXEC) != 0) throw Failure("pipe");
        return (Lift(p[0]), Lift(p[1]));
    }

    public static (int A, int B) SocketPair(int type)
    {
        int* p = stackalloc int[2];
        if (Libc.socketpair(Libc.AF_UNIX, type | Libc.SOCK_CLOEXEC, 0, p) != 0) throw Failure("socketpair");
        return (Lift(p[0]), Lift(p[1]));
    }

    /// <summary>Moves a close-on-exec descriptor to a number at or above <see cref="SafeFloor"/>.</summary>
    public static int Lift(int fd)
    {
        if (fd >= SafeFloor) return fd;
        int high = Libc.fcntl(fd, Libc.F_DUPFD_CLOEXEC, SafeFloor);
        int err = Libc.Errno;
        Libc.close(fd);
        if (high < 0) throw Failure("fcntl(F_DUPFD_CLOEXEC)", err);
        return high;
    }

    public static int Open(string path, int flags)
    {
        int fd = Libc.open(path, flags | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw Failure("open " + path);
        return Lift(fd);
    }

    public static void Close(ref int fd)
    {
        if (fd >= 0) Libc.close(fd);
        fd = -1;
    }

    public static void SetNonBlocking(int fd, bool on)
    {
        int flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
        Libc.fcntl(fd, Libc.F_SETFL, on ? flags | Libc.O_NONBLOCK : flags & ~Libc.O_NONBLOCK);
    }

    /// <summary>Writes everything (retrying short writes); false when the reader is gone.</summary>
    public static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int off = 0;
            while (off < data.Length)
            {
                nint n = Libc.write(fd, p + off, data.Length - off);
                if (n < 0)
                {
                    int e = Libc.Errno;
                    if (e == Libc.EINTR) continue;
                    if (e == Libc.EAGAIN) { WaitWritable(fd); continue; }
                    return false;
                }
                off += (int)n;
            }
        }
        return true;
    }

    private static void WaitWritable(int fd)
    {
        var pfd = new Libc.PollFd { Fd = fd, Events = Libc.POLLOUT };
        Libc.poll(&pfd, 1, 1000);
    }

    /// <summary>One read; 0 at end of file, -1 on error (EINTR retried).</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            for (;;)
            {
                nint n = Libc.read(fd, p, buffer.Length);
                if (n >= 0) return (int)n;
                if (Libc.Errno != Libc.EINTR) return -1;
            }
        }
    }

    public static string ReadToEnd(int fd)
    {
        var sb = new MemoryStream();
        Span<byte> buf = stackalloc byte[4096];
        int n;
        while ((n = Read(fd, buf)) > 0) sb.Write(buf[..n]);
        return Encoding.UTF8.GetString(sb.GetBuffer(), 0, (int)sb.Length);
    }

    /// <summary>A small file's text (/proc, cgroup files) with open, read and close only; null when it
    /// cannot be opened.</summary>
    public static string? ReadText(string path)
    {
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0) return null;
        try { return ReadToEnd(fd); }
        finally { Libc.close(fd); }
    }

    /// <summary>Writes a file in place: the bytes, then the length. An existing file is not truncated to
    /// zero first, which would give its block back only to take another.</summary>
    public static void WriteFileInPlace(string path, ReadOnlySpan<byte> content)
    {
        int fd = Libc.open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_CLOEXEC, 0x1a4 /* 0644 */);
        if (fd < 0) throw Failure("create " + path);
        try
        {
            if (!WriteAll(fd, content) || Libc.ftruncate(fd, content.Length) != 0) throw Failure("write " + path);
        }
        finally { Libc.close(fd); }
    }

    public static BerthException Failure(string what, int? errno = null) =>
        new($"{what}: {Libc.Error(errno ?? Libc.Errno)}", BerthException.EngineError);
}
