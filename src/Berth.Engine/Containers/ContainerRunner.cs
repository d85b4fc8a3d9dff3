using Berth.Engine.Events;
using Berth.Engine.Runtime;
using Berth.Engine.Runtime.Cgroups;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Runtime.Spec;
using Berth.Engine.Runtime.Stage;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Containers;

/// <summary>
/// Starts a container's process and records the end of it: the part of the lifecycle shared by the
/// foreground CLI (<c>run</c> without -d) and a detached container's monitor.
/// </summary>
public sealed class ContainerRunner(ContainerService service)
{
    /// <summary>The stdio a container gets, and what the caller keeps to relay it.</summary>
    public sealed class Stdio : IDisposable
    {
        /// <summary>Handed to the container.</summary>
        public int Stdin = -1, Stdout = -1, Stderr = -1;
        /// <summary>Kept by us: the other ends of the pipes.</summary>
        public int StdinWrite = -1, StdoutRead = -1, StderrRead = -1;

        /// <summary>Pipes for output (and for input when <paramref name="input"/>); /dev/null otherwise.</summary>
        public static Stdio Pipes(bool input, bool tty)
        {
            var s = new Stdio();
            if (tty)
            {
                // The stage makes the terminal inside the container; stdio until then is /dev/null.
                s.Stdin = s.Stdout = s.Stderr = Fds.Open("/dev/null", Libc.O_RDWR);
                return s;
            }
            if (input) (s.Stdin, s.StdinWrite) = Fds.Pipe();
            else s.Stdin = Fds.Open("/dev/null", Libc.O_RDONLY);
            (s.StdoutRead, s.Stdout) = Fds.Pipe();
            (s.StderrRead, s.Stderr) = Fds.Pipe();
            return s;
        }

        /// <summary>The container's ends are closed once it has them (our own 0-2, when lent, are not).</summary>
        public void CloseContainerEnds()
        {
            if (Stdout == Stdin) Stdout = -1;
            if (Stderr == Stdin) Stderr = -1;
            CloseOwned(ref Stdin);
            CloseOwned(ref Stdout);
            CloseOwned(ref Stderr);
        }

        private static void CloseOwned(ref int fd)
        {
            if (fd > 2) Fds.Close(ref fd);
            fd = -1;
        }

        public void Dispose()
        {
            CloseContainerEnds();
            Fds.Close(ref StdinWrite);
            Fds.Close(ref StdoutRead);
            Fds.Close(ref StderrRead);
        }
    }

    /// <summary>Starts the container (it must not be running). On failure the record keeps the exit code and
    /// error (docker's "created" with ExitCode 127...) and the exception goes on to the caller.</summary>
    public RuntimeTask Start(Container c, StageStdio stdio, RuntimeSpec? spec = null)
    {
        var paths = service.Paths(c.Id);
        var runtime = service.RuntimeFor(c.Spec, c.Id);
        spec ??= RuntimeSpecFile.Read(paths.Bundle);
        var rootfs = service.Snapshots.Mounts(c.SnapshotKey)[0];
        if (c.Spec.AutoRemove) rootfs = VolatileOverlay.For(rootfs);
        RuntimeTask task;
        Phases.Mark("start: rootfs mount known");
        try
        {
            task = runtime.Start(new RuntimeLaunch(c.Id, paths.Bundle, spec, rootfs, stdio)
            {
                Init = c.Spec.Init,
                BeforeStart = pid => service.Network.Attach(c, pid),
            });
        }
        catch (BerthException e)
        {
            service.Store.MarkStartFailed(c.Id, e.ExitCode, e.Message);
            throw;
        }
        Phases.Mark("start: payload running");
        int self = Environment.ProcessId;
        service.Store.MarkStarted(c.Id, task.Pid, ChildProcess.StartTime(task.Pid), self, ChildProcess.StartTime(self), DateTimeOffset.UtcNow);
        service.Events.Container("start", c);
        Phases.Mark("start: recorded");
        return task;
    }

    /// <summary>Records an exit: OOM kill (read before the cgroup goes), cleanup, exit code and time.</summary>
    public void Finish(Container c, int exitCode)
    {
        bool oom = Release(c);
        service.Store.MarkExited(c.Id, exitCode, oom, DateTimeOffset.UtcNow);
        Died(c, exitCode);
        Phases.Mark("exit: cleaned up and recorded");
    }

    /// <summary>The die event, once the record says so (a load balancer that reads state on it sees it gone).</summary>
    public void Died(Container c, int exitCode) =>
        service.Events.Container("die", c, ("exitCode", exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Frees what a stopped container's process held (cgroups, host mounts, network); returns
    /// whether the OOM killer ended it.</summary>
    public bool Release(Container c)
    {
        Phases.Mark("exit: payload exited");
        bool oom = false;
        try { oom = CgroupDrivers.Host.Open(CgroupDrivers.NameFor(c.Id)).OomKilled; }
        catch (BerthException) { }
        try { service.RuntimeFor(c.Spec, c.Id).Cleanup(c.Id, service.Paths(c.Id).Bundle); }
        catch (BerthException) { }
        try { service.Network.Detach(c); }
        catch (BerthException) { }
        return oom;
    }
}
