using System.Buffers.Binary;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Containers;

/// <summary>
/// A connection to a container's monitor (attach, start -a): prints the container's output as it comes,
/// sends our stdin, and returns the exit code from the monitor's last frame.
/// </summary>
public sealed unsafe class AttachClient : IDisposable
{
    private int _fd;

    private AttachClient(int fd) => _fd = fd;

    public static AttachClient? Connect(string containerDir)
    {
        int fd = UnixSocket.Connect(containerDir, ContainerPaths.AttachSocket);
        return fd < 0 ? null : new AttachClient(fd);
    }

    /// <summary>Relays until the container ends; returns its exit code, or null when the monitor went away
    /// without saying (the caller then reads the record).</summary>
    public int? Run(int stdout, int stderr, int stdin)
    {
        var buffer = new byte[64 * 1024];
        var frame = new MemoryStream();
        var fds = stackalloc Libc.PollFd[2];
        for (;;)
        {
            int n = 0;
            fds[n++] = new Libc.PollFd { Fd = _fd, Events = Libc.POLLIN };
            if (stdin >= 0) fds[n++] = new Libc.PollFd { Fd = stdin, Events = Libc.POLLIN };
            if (Libc.poll(fds, (nuint)n, -1) < 0) { if (Libc.Errno == Libc.EINTR) continue; return null; }
            if (stdin >= 0 && fds[1].Revents != 0)
            {
                int r = Fds.Read(stdin, buffer);
                if (r <= 0) stdin = -1;
                else Fds.WriteAll(_fd, buffer.AsSpan(0, r));
            }
            if (fds[0].Revents == 0) continue;
            int got = Fds.Read(_fd, buffer);
            if (got <= 0) return null;
            frame.Write(buffer, 0, got);
            // Hand out every complete frame.
            var data = frame.GetBuffer().AsSpan(0, (int)frame.Length);
            int off = 0;
            while (data.Length - off >= 8)
            {
                int len = BinaryPrimitives.ReadInt32BigEndian(data[(off + 4)..]);
                if (data.Length - off - 8 < len) break;
                var payload = data.Slice(off + 8, len);
                byte stream = data[off];
                if (stream == AttachFrames.Exit) return BinaryPrimitives.ReadInt32BigEndian(payload);
                Fds.WriteAll(stream == AttachFrames.Stderr ? stderr : stdout, payload);
                off += 8 + len;
            }
            var rest = data[off..].ToArray();
            frame.SetLength(0);
            frame.Write(rest);
        }
    }

    public void Dispose() => Fds.Close(ref _fd);
}
