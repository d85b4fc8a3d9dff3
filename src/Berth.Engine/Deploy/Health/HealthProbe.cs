using System.Text;
using Berth.Engine.Containers;
using Berth.Engine.Runtime;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Runtime.Spec;
using Berth.Engine.Runtime.Stage;

namespace Berth.Engine.Deploy.Health;

/// <summary>
/// One health probe: the check's command as an exec in the running container (its namespaces, cgroup,
/// user and environment), stdout and stderr captured (4 KiB at most, as docker keeps), killed at the timeout.
/// </summary>
public static class HealthProbe
{
    private const int MaxOutput = 4096;

    public static HealthProbeResult Run(ContainerService service, Container c, int pid, HealthSettings settings)
    {
        var start = DateTimeOffset.UtcNow;
        int read = -1, write = -1, devNull = -1;
        try
        {
            var paths = service.Paths(c.Id);
            var baseProcess = RuntimeSpecFile.Read(paths.Bundle).Process ?? new SpecProcess();
            var process = baseProcess with { Terminal = false, Args = settings.Command, ConsoleSize = null };
            (read, write) = Fds.Pipe();
            devNull = Fds.Open("/dev/null", Libc.O_RDONLY);
            var task = service.RuntimeFor(c.Spec, c.Id).Exec(new RuntimeExec(c.Id, paths.Bundle, pid, process, new StageStdio(devNull, write, write)));
            Fds.Close(ref write);
            Fds.Close(ref devNull);
            var (output, timedOut) = ReadUntil(read, Environment.TickCount64 + (long)settings.Timeout.TotalMilliseconds);
            if (timedOut)
            {
                Libc.kill(task.Pid, 9);
                ChildProcess.Wait(task.WaitPid);
                return new HealthProbeResult
                {
                    Start = start, End = DateTimeOffset.UtcNow, ExitCode = -1,
                    Output = $"Health check exceeded timeout ({Util.Units.HumanDuration(settings.Timeout)})",
                };
            }
            int code = ChildProcess.Wait(task.WaitPid);
            return new HealthProbeResult { Start = start, End = DateTimeOffset.UtcNow, ExitCode = code == 0 ? 0 : code is 126 or 127 ? -1 : 1, Output = output };
        }
        catch (Exception e) when (e is BerthException or IOException)
        {
            return new HealthProbeResult { Start = start, End = DateTimeOffset.UtcNow, ExitCode = -1, Output = e.Message };
        }
        finally
        {
            Fds.Close(ref read);
            Fds.Close(ref write);
            Fds.Close(ref devNull);
        }
    }

    /// <summary>Reads until EOF or the deadline; keeps the first 4 KiB.</summary>
    private static unsafe (string Output, bool TimedOut) ReadUntil(int fd, long deadline)
    {
        var kept = new MemoryStream();
        var buf = new byte[4096];
        for (;;)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0) return (Text(kept), true);
            var pfd = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
            int r = Libc.poll(&pfd, 1, (int)Math.Min(left, int.MaxValue));
            if (r < 0 && Libc.Errno == Libc.EINTR) continue;
            if (r == 0) continue;
            int n = Fds.Read(fd, buf);
            if (n <= 0) return (Text(kept), false);
            if (kept.Length < MaxOutput) kept.Write(buf, 0, (int)Math.Min(n, MaxOutput - kept.Length));
        }
    }

    private static string Text(MemoryStream m) => Encoding.UTF8.GetString(m.GetBuffer(), 0, (int)m.Length);
}
