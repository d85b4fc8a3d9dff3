using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Containers;

/// <summary>
/// Moves a running container's stdio in one thread with poll(2) until it exits and its output is
/// drained: output goes to the json log, to our own stdout/stderr (foreground) and to attached
/// clients (monitor); input comes from our stdin or from attached clients.
/// </summary>
internal sealed unsafe class StreamRelay
{
    public int ContainerStdout = -1, ContainerStderr = -1;
    /// <summary>The pty master: output is read from it and input written to it.</summary>
    public int Pty = -1;
    /// <summary>Write end of the container's stdin pipe (non-tty with -i).</summary>
    public int ContainerStdin = -1;
    public int LocalStdin = -1, LocalStdout = -1, LocalStderr = -1;
    public JsonLogWriter? Log;
    public AttachHub? Attach;
    public required int Pid;

    private readonly byte[] _buffer = new byte[32 * 1024];

    /// <summary>Returns the container's exit code (128+signal when it was killed).</summary>
    public int Run()
    {
        int pidFd = Libc.pidfd_open(Pid);
        int? exit = null;
        if (pidFd < 0) exit = ChildProcess.Wait(Pid);
        long drainDeadline = 0;
        var fds = new Libc.PollFd[16 + (Attach?.MaxClients ?? 0)];
        try
        {
            for (;;)
            {
                bool outputsOpen = ContainerStdout >= 0 || ContainerStderr >= 0 || Pty >= 0;
                if (exit is not null && !outputsOpen) break;
                if (exit is not null && drainDeadline == 0) drainDeadline = Environment.TickCount64 + 2000;
                int n = 0;
                Add(fds, ref n, ContainerStdout);
                Add(fds, ref n, ContainerStderr);
                Add(fds, ref n, Pty);
                bool stdinTarget = Pty >= 0 || ContainerStdin >= 0;
                Add(fds, ref n, stdinTarget ? LocalStdin : -1);
                Add(fds, ref n, exit is null ? pidFd : -1);
                int attachStart = n;
                if (Attach is not null) n = Attach.AddPollFds(fds, n, stdinTarget);
                int timeout = exit is null ? -1 : (int)Math.Max(0, drainDeadline - Environment.TickCount64);
                if (exit is not null && timeout == 0) break;
                int r;
                fixed (Libc.PollFd* p = fds) r = Libc.poll(p, (nuint)n, timeout);
                if (r < 0 && Libc.Errno == Libc.EINTR) continue;
                if (r < 0) throw Fds.Failure("poll");
                for (int i = 0; i < n; i++)
                {
                    if (fds[i].Revents == 0) continue;
                    int fd = fds[i].Fd;
                    if (fd == ContainerStdout) Pump(ref ContainerStdout, AttachFrames.Stdout);
                    else if (fd == ContainerStderr) Pump(ref ContainerStderr, AttachFrames.Stderr);
                    else if (fd == Pty) Pump(ref Pty, AttachFrames.Stdout);
                    else if (fd == LocalStdin) ForwardInput(ref LocalStdin);
                    else if (fd == pidFd) exit = ChildProcess.Wait(Pid);
                    else if (i >= attachStart) Attach!.OnReady(fds[i], this);
                }
            }
        }
        finally
        {
            if (pidFd >= 0) Libc.close(pidFd);
            Log?.FlushPartial();
            Fds.Close(ref ContainerStdout);
            Fds.Close(ref ContainerStderr);
        }
        return exit ?? ChildProcess.Wait(Pid);
    }

    private static void Add(Libc.PollFd[] fds, ref int n, int fd)
    {
        if (fd < 0) return;
        fds[n++] = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
    }

    private void Pump(ref int fd, byte stream)
    {
        int n = Fds.Read(fd, _buffer);
        if (n <= 0)
        {
            // EOF, or EIO on a pty master once every holder of the terminal is gone.
            Fds.Close(ref fd);
            return;
        }
        var data = _buffer.AsSpan(0, n);
        Log?.Write(stream, data);
        int local = stream == AttachFrames.Stderr ? LocalStderr : LocalStdout;
        if (local >= 0) Fds.WriteAll(local, data);
        Attach?.Broadcast(stream, data);
    }

    private void ForwardInput(ref int fd)
    {
        int n = Fds.Read(fd, _buffer);
        if (n <= 0)
        {
            fd = -1; // our stdin ended: the container's stdin ends too (not the terminal's)
            if (ContainerStdin >= 0) Fds.Close(ref ContainerStdin);
            return;
        }
        WriteInput(_buffer.AsSpan(0, n));
    }

    /// <summary>Input for the container: to the pty, or to its stdin pipe.</summary>
    public void WriteInput(ReadOnlySpan<byte> data)
    {
        int target = Pty >= 0 ? Pty : ContainerStdin;
        if (target >= 0 && !Fds.WriteAll(target, data) && target == ContainerStdin) Fds.Close(ref ContainerStdin);
    }
}
