using System.Runtime.InteropServices;

namespace Berth.Engine.Util;

/// <summary>
/// An advisory flock(2) on a file: shared for work that adds to the store, exclusive for work that
/// removes from it (prune, rmi, gc), so two berth processes never delete what the other still uses.
/// </summary>
public sealed partial class FileLock : IDisposable
{
    private const int LOCK_SH = 1, LOCK_EX = 2, LOCK_UN = 8;
    private readonly SafeHandle _handle;

    private FileLock(SafeHandle handle) => _handle = handle;

    public static FileLock Shared(string path) => Take(path, LOCK_SH);
    public static FileLock Exclusive(string path) => Take(path, LOCK_EX);

    private static FileLock Take(string path, int op)
    {
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        while (flock(handle.DangerousGetHandle().ToInt32(), op) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != 4 /* EINTR */)
            {
                handle.Dispose();
                throw new BerthException($"cannot lock {path}: errno {errno}", BerthException.EngineError);
            }
        }
        return new FileLock(handle);
    }

    public void Dispose()
    {
        if (_handle.IsClosed) return;
        flock(_handle.DangerousGetHandle().ToInt32(), LOCK_UN);
        _handle.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);
}
