using System.Buffers.Binary;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Containers;

/// <summary>
/// The monitor's attach socket: every client gets the container's output as <see cref="AttachFrames"/>,
/// and what a client sends is the container's input. When the container ends, each client gets the
/// exit frame and is closed.
/// </summary>
internal sealed class AttachHub : IDisposable
{
    public const int MaxClientsAllowed = 32;
    private int _listen;
    private readonly List<int> _clients = [];
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly byte[] _header = new byte[8];

    public AttachHub(string containerDir) => _listen = UnixSocket.Listen(containerDir, ContainerPaths.AttachSocket);

    public int MaxClients => MaxClientsAllowed + 1;

    public int ClientCount => _clients.Count;

    /// <summary>Blocks until one client connects (start -a attaches before the container runs).</summary>
    public unsafe bool WaitForClient(TimeSpan timeout)
    {
        var pfd = new Libc.PollFd { Fd = _listen, Events = Libc.POLLIN };
        if (Libc.poll(&pfd, 1, (int)timeout.TotalMilliseconds) <= 0) return false;
        AcceptOne();
        return _clients.Count > 0;
    }

    public int AddPollFds(Libc.PollFd[] fds, int n, bool wantInput)
    {
        fds[n++] = new Libc.PollFd { Fd = _listen, Events = Libc.POLLIN };
        foreach (var c in _clients)
            fds[n++] = new Libc.PollFd { Fd = c, Events = (short)(wantInput ? Libc.POLLIN : 0) };
        return n;
    }

    public void OnReady(Libc.PollFd pfd, StreamRelay relay)
    {
        if (pfd.Fd == _listen) { AcceptOne(); return; }
        if ((pfd.Revents & Libc.POLLIN) != 0)
        {
            int n = Fds.Read(pfd.Fd, _buffer);
            if (n > 0) { relay.WriteInput(_buffer.AsSpan(0, n)); return; }
        }
        Drop(pfd.Fd);
    }

    private void AcceptOne()
    {
        int fd = UnixSocket.Accept(_listen);
        if (fd < 0) return;
        if (_clients.Count >= MaxClientsAllowed) { Libc.close(fd); return; }
        _clients.Add(Fds.Lift(fd));
    }

    public void Broadcast(byte stream, ReadOnlySpan<byte> data)
    {
        if (_clients.Count == 0) return;
        AttachFrames.WriteHeader(_header, stream, data.Length);
        for (int i = _clients.Count - 1; i >= 0; i--)
            if (!Fds.WriteAll(_clients[i], _header) || !Fds.WriteAll(_clients[i], data)) Drop(_clients[i]);
    }

    /// <summary>Sends every client the exit frame and closes them.</summary>
    public void Finish(int exitCode)
    {
        Span<byte> code = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(code, exitCode);
        Broadcast(AttachFrames.Exit, code);
        foreach (var c in _clients) Libc.close(c);
        _clients.Clear();
    }

    private void Drop(int fd)
    {
        if (_clients.Remove(fd)) Libc.close(fd);
    }

    public void Dispose()
    {
        foreach (var c in _clients) Libc.close(c);
        _clients.Clear();
        Fds.Close(ref _listen);
    }
}
