using System.Runtime.InteropServices;
using System.Text;

namespace Berth.Engine.Events;

/// <summary>
/// Reads an <see cref="EventLog"/> as a stream: past events from <c>since</c> (both files), then, when
/// following, new lines as they are appended (inotify on the state root wakes it), across rotations,
/// until <c>until</c> passes or the caller stops.
/// </summary>
public sealed partial class EventReader(EventLog log)
{
    private const int IN_MODIFY = 0x2, IN_MOVED_TO = 0x80, IN_CREATE = 0x100, IN_NONBLOCK = 0x800, IN_CLOEXEC = 0x80000;

    /// <summary>Calls <paramref name="onEvent"/> for each event in [since, until]; with <paramref name="follow"/>,
    /// keeps waiting for new ones until <paramref name="until"/> (or forever, or until cancelled).</summary>
    public void Read(long? sinceNano, long? untilNano, bool follow, Action<BerthEvent, string> onEvent, CancellationToken cancel = default)
    {
        int inotify = follow ? Watch() : -1;
        try
        {
            if (sinceNano is not null && File.Exists(log.PreviousPath))
                using (var old = Open(log.PreviousPath))
                    if (old is not null && Drain(old, new StringBuilder(), sinceNano, untilNano, onEvent)) return;
            var stream = Open(log.Path);
            ulong inode = InodeOf(log.Path);
            var pending = new StringBuilder();
            if (stream is not null && sinceNano is null) stream.Seek(0, SeekOrigin.End);
            try
            {
                for (;;)
                {
                    if (stream is not null && Drain(stream, pending, sinceNano, untilNano, onEvent)) return;
                    if (!follow || cancel.IsCancellationRequested) return;
                    long now = BerthEvent.Now();
                    if (untilNano is { } u && now > u) return;
                    if (stream is null || Rotated(stream, inode))
                    {
                        // The file we read was renamed away (or did not exist): read what is left, then the new file.
                        if (stream is not null && Drain(stream, pending, sinceNano, untilNano, onEvent)) return;
                        stream?.Dispose();
                        stream = Open(log.Path);
                        inode = InodeOf(log.Path);
                        pending.Clear();
                        if (stream is not null) continue;
                    }
                    int timeout = untilNano is { } until ? (int)Math.Clamp((until - now) / 1_000_000 + 1, 1, 1000) : 1000;
                    Wait(inotify, timeout);
                }
            }
            finally { stream?.Dispose(); }
        }
        finally
        {
            if (inotify >= 0) close(inotify);
        }
    }

    /// <summary>Emits the complete lines available; true once an event later than <paramref name="untilNano"/> is seen.</summary>
    private static bool Drain(FileStream stream, StringBuilder pending, long? sinceNano, long? untilNano, Action<BerthEvent, string> onEvent)
    {
        var buffer = new byte[16384];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            pending.Append(Encoding.UTF8.GetString(buffer, 0, n));
            var text = pending.ToString();
            int start = 0, nl;
            while ((nl = text.IndexOf('\n', start)) >= 0)
            {
                var line = text[start..nl];
                start = nl + 1;
                if (BerthEvent.Parse(line) is not { } e) continue;
                if (untilNano is { } u && e.TimeNano > u) return true;
                if (sinceNano is { } s && e.TimeNano < s) continue;
                onEvent(e, line);
            }
            pending.Remove(0, start);
        }
        return false;
    }

    private bool Rotated(FileStream stream, ulong inode) =>
        Runtime.Interop.FileStat.Lstat(log.Path) is not { } st || st.Ino != inode || st.Size < stream.Position;

    private static ulong InodeOf(string path) => Runtime.Interop.FileStat.Lstat(path)?.Ino ?? 0;

    private static FileStream? Open(string path)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    private int Watch()
    {
        int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd >= 0) inotify_add_watch(fd, Path.GetDirectoryName(log.Path)!, IN_MODIFY | IN_CREATE | IN_MOVED_TO);
        return fd;
    }

    private static unsafe void Wait(int fd, int timeoutMs)
    {
        if (fd < 0) { Thread.Sleep(Math.Min(timeoutMs, 100)); return; }
        var pfd = new Runtime.Interop.Libc.PollFd { Fd = fd, Events = Runtime.Interop.Libc.POLLIN };
        Runtime.Interop.Libc.poll(&pfd, 1, timeoutMs);
        byte* drain = stackalloc byte[4096];
        while (Runtime.Interop.Libc.read(fd, drain, 4096) > 0) { }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int inotify_init1(int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int inotify_add_watch(int fd, string path, uint mask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
