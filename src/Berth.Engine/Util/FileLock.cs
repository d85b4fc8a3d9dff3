using System.Runtime.InteropServices;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Util;

/// <summary>
/// An advisory flock(2) on a file: shared for work that adds to the store, exclusive for work that
/// removes from it (prune, rmi, gc), so two berth processes never delete what the other still uses.
/// The file is opened with open(2), not a FileStream: .NET emulates FileShare with its own non-blocking
/// flock, which fails ("sharing violation") instead of waiting while another holder has it exclusively.
/// </summary>
public sealed partial class FileLock : IDisposable
{
    private const int LOCK_SH = 1, LOCK_EX = 2, LOCK_UN = 8;
    private int _fd;

    private FileLock(int fd) => _fd = fd;

    public static FileLock Shared(string path) => Take(path, LOCK_SH);
    public static FileLock Exclusive(string path) => Take(path, LOCK_EX);

    private static FileLock Take(string path, int op)
    {
        int fd = Libc.open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_100_100);
        if (fd < 0) throw new BerthException($"cannot open {path}: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
        while (flock(fd, op) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != 4 /* EINTR */)
            {
                Libc.close(fd);
                throw new BerthException($"cannot lock {path}: errno {errno}", BerthException.EngineError);
            }
        }
        return new FileLock(fd);
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd < 0) return;
        flock(fd, LOCK_UN);
        Libc.close(fd);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);
}
