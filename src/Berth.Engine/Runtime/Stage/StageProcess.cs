using System.Runtime.CompilerServices;
using System.Text;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Runtime.Stage;

public enum StageMode { Create, Exec }

/// <summary>The descriptors a container process gets as its stdin, stdout and stderr.</summary>
public readonly record struct StageStdio(int Stdin, int Stdout, int Stderr);

/// <summary>
/// One run of the C stage, from spawn to exec. The container's process is our own child (the stage
/// clones it with CLONE_PARENT), so the caller waits for <see cref="Pid"/> directly.
/// </summary>
public sealed unsafe class StageProcess : IDisposable
{
    private int _sync;
    private int _stagePid;

    private StageProcess(int pid, int sync, int ptyMaster, int stagePid)
    {
        Pid = pid;
        _sync = sync;
        PtyMaster = ptyMaster;
        _stagePid = stagePid;
    }

    /// <summary>The container process, as the host sees it.</summary>
    public int Pid { get; }

    /// <summary>The pty master when the process has a terminal, else -1. The caller owns it.</summary>
    public int PtyMaster { get; }

    /// <summary>berth's own binary under NativeAOT (the stage is its ELF constructor), else berth-nsexec.</summary>
    public static string StagePath { get; } = RuntimeFeature.IsDynamicCodeSupported
        ? Path.Combine(AppContext.BaseDirectory, "berth-nsexec")
        : "/proc/self/exe";

    public static StageProcess Start(StageMode mode, StageConfig config, StageStdio stdio, bool tty)
    {
        var (cfgRead, cfgWrite) = Fds.Pipe();
        var (sync, childSync) = Fds.SocketPair(Libc.SOCK_SEQPACKET);
        int stagePid = -1;
        try
        {
            var bytes = config.Bytes;
            if (bytes.Length > 60000 && Libc.fcntl(cfgWrite, Libc.F_SETPIPE_SZ, bytes.Length + 4096) < 0)
                throw new BerthException("container configuration too large", BerthException.EngineError);
            if (!Fds.WriteAll(cfgWrite, bytes)) throw Fds.Failure("write the stage configuration");
            Fds.Close(ref cfgWrite);
            stagePid = Spawner.Spawn(StagePath, ["berth", "__berth-stage", mode == StageMode.Create ? "create" : "exec"], [],
                [stdio.Stdin, stdio.Stdout, stdio.Stderr, cfgRead, childSync]);
        }
        finally
        {
            Fds.Close(ref cfgWrite);
            Fds.Close(ref cfgRead);
            Fds.Close(ref childSync);
        }
        // The stage says "P <pid>" and, with a terminal, the container's process says "T" (with the pty's
        // master): two processes on one socket, so the two may come in either order.
        var buf = new byte[1024];
        int pid = -1, master = -1;
        while (pid < 0 || (tty && master < 0))
        {
            int len = Receive(sync, buf, out int passed);
            var msg = Encoding.UTF8.GetString(buf, 0, Math.Max(len, 0));
            if (msg.StartsWith("P ", StringComparison.Ordinal) && passed < 0)
                pid = int.Parse(msg.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture);
            else if (msg == "T" && passed >= 0 && master < 0) master = Fds.Lift(passed);
            else
            {
                if (passed >= 0) Libc.close(passed);
                if (master >= 0) Libc.close(master);
                Fds.Close(ref sync);
                Reap(stagePid);
                if (pid > 0) Reap(pid);
                throw Failed(msg, pid < 0 ? "the container stage exited before it started a process" : "the container stage exited before it made a terminal");
            }
        }
        // The stage exits once it has said the pid; it is reaped later (Dispose), while the process sets up.
        return new StageProcess(pid, sync, master, stagePid);
    }

    /// <summary>Lets the process go on to exec (after the caller finished its setup, e.g. networking).</summary>
    public void Go()
    {
        byte g = (byte)'G';
        Libc.send(_sync, &g, 1, Libc.MSG_NOSIGNAL);
    }

    /// <summary>Returns once the payload was exec'd; throws with docker's exit code (126, 127, 125) if it
    /// could not be. The process has then exited and is reaped.</summary>
    public void WaitExec()
    {
        var buf = new byte[1024];
        int len = Receive(_sync, buf, out int passed);
        if (passed >= 0) Libc.close(passed);
        Fds.Close(ref _sync);
        if (len <= 0) return;
        Reap(Pid);
        throw Failed(Encoding.UTF8.GetString(buf, 0, len), "the container process failed to start");
    }

    /// <summary>Like <see cref="WaitExec"/> but returns the error instead of throwing, with the process left unreaped.</summary>
    public BerthException? TryWaitExec()
    {
        var buf = new byte[1024];
        int len = Receive(_sync, buf, out int passed);
        if (passed >= 0) Libc.close(passed);
        Fds.Close(ref _sync);
        return len <= 0 ? null : Failed(Encoding.UTF8.GetString(buf, 0, len), "the container process failed to start");
    }

    private static BerthException Failed(string msg, string fallback)
    {
        // "E <code> <message>"
        if (msg.StartsWith("E ", StringComparison.Ordinal))
        {
            int sp = msg.IndexOf(' ', 2);
            if (sp > 2 && int.TryParse(msg.AsSpan(2, sp - 2), out int code))
                return new BerthException(msg[(sp + 1)..], code);
        }
        return new BerthException(fallback, BerthException.EngineError);
    }

    private static void Reap(int pid)
    {
        if (pid <= 0) return;
        int status;
        while (Libc.waitpid(pid, &status, 0) < 0 && Libc.Errno == Libc.EINTR) { }
    }

    private static int Receive(int fd, byte[] buffer, out int passedFd)
    {
        passedFd = -1;
        byte* control = stackalloc byte[64];
        fixed (byte* b = buffer)
        {
            var iov = new Libc.IoVec { Base = b, Length = buffer.Length };
            var hdr = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 64 };
            nint n;
            while ((n = Libc.recvmsg(fd, &hdr, Libc.MSG_CMSG_CLOEXEC)) < 0 && Libc.Errno == Libc.EINTR) { }
            if (n < 0) return -1;
            // struct cmsghdr { size_t len; int level; int type; } then data
            if (hdr.ControlLength >= 20 && *(int*)(control + 8) == 1 /* SOL_SOCKET */ && *(int*)(control + 12) == 1 /* SCM_RIGHTS */)
                passedFd = *(int*)(control + 16);
            return (int)n;
        }
    }

    public void Dispose()
    {
        Fds.Close(ref _sync);
        Reap(_stagePid);
        _stagePid = -1;
    }
}
