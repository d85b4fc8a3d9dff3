using System.Globalization;

namespace Berth.Engine.Runtime.Interop;

/// <summary>Waiting for children (by pid or pidfd) and checking that a pid is still the process we
/// started (its start time, from /proc/PID/stat, tells a reused pid apart).</summary>
public static unsafe class ChildProcess
{
    /// <summary>Blocks until our child <paramref name="pid"/> exits; returns docker's exit code for it.</summary>
    public static int Wait(int pid)
    {
        int status;
        while (Libc.waitpid(pid, &status, 0) < 0)
        {
            if (Libc.Errno != Libc.EINTR) return -1;
        }
        return Libc.ExitCodeOf(status);
    }

    /// <summary>Reaps <paramref name="pid"/> if it has exited; null while it runs.</summary>
    public static int? TryWait(int pid)
    {
        int status;
        int r = Libc.waitpid(pid, &status, Libc.WNOHANG);
        if (r == pid) return Libc.ExitCodeOf(status);
        return r < 0 ? -1 : null;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for any process (child or not) to end.</summary>
    public static bool WaitGone(int pid, long startTime, TimeSpan timeout)
    {
        int fd = Libc.pidfd_open(pid);
        if (fd < 0) return true;
        try
        {
            if (StartTime(pid) != startTime) return true;
            var pfd = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
            int ms = timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds);
            var deadline = Environment.TickCount64 + ms;
            for (;;)
            {
                int r = Libc.poll(&pfd, 1, ms);
                if (r > 0) return true;
                if (r == 0) return false;
                if (Libc.Errno != Libc.EINTR) return true;
                if (ms >= 0) ms = (int)Math.Max(0, deadline - Environment.TickCount64);
            }
        }
        finally { Libc.close(fd); }
    }

    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks since boot), or 0 when the process is gone.</summary>
    public static long StartTime(int pid)
    {
        if (pid <= 0) return 0;
        if (Fds.ReadText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat") is not { } text) return 0;
        // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0) return 0;
        var fields = text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); start time is field 22.
        return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    /// <summary>True when <paramref name="pid"/> runs and is the process that started at <paramref name="startTime"/>.</summary>
    public static bool IsAlive(int pid, long startTime) => pid > 0 && startTime != 0 && StartTime(pid) == startTime && !IsZombie(pid);

    private static bool IsZombie(int pid)
    {
        if (Fds.ReadText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat") is not { } text) return true;
        int close = text.LastIndexOf(')');
        return close > 0 && close + 2 < text.Length && text[close + 2] is 'Z' or 'X';
    }

    /// <summary>Runs a helper program to completion; its stdout/stderr go to <paramref name="output"/>.</summary>
    public static (int ExitCode, string Output) Run(string executable, IReadOnlyList<string> argv, IReadOnlyList<string>? env = null, int stdin = -1)
    {
        var (r, w) = Fds.Pipe();
        int nullFd = -1;
        int pid;
        try
        {
            if (stdin < 0) stdin = nullFd = Fds.Open("/dev/null", Libc.O_RDONLY);
            pid = Spawner.Spawn(executable, argv, env ?? Environment.GetEnvironmentVariables().Keys.Cast<string>()
                .Select(k => k + "=" + Environment.GetEnvironmentVariable(k)).ToList(), [stdin, w, w]);
        }
        finally
        {
            Fds.Close(ref w);
            Fds.Close(ref nullFd);
        }
        var output = Fds.ReadToEnd(r);
        Fds.Close(ref r);
        return (Wait(pid), output);
    }
}
