using System.Text;
using Berth.Engine.Runtime;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Runtime.Stage;

namespace Berth.Engine.Containers;

/// <summary>
/// The process that keeps a detached container: started by <c>run -d</c>/<c>start</c> in its own session,
/// it starts the container, tells the CLI "started" (or the error) on the notify pipe, writes the json
/// log, serves attach clients, records the exit (and OOM kill), applies the restart policy and --rm,
/// then exits. One thread, poll(2), no allocation per line of output.
/// </summary>
public sealed class ContainerMonitor(ContainerService service)
{
    public int Run(string id, int notifyFd, bool attachFirst)
    {
        Libc.fcntl(notifyFd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
        var c = service.Store.Get(id);
        if (c is null) { Notify(ref notifyFd, $"E 125 No such container: {id}"); return 125; }
        var paths = service.Paths(id);
        var runner = new ContainerRunner(service);
        using var hub = new AttachHub(paths.Dir);
        if (attachFirst)
        {
            Notify(ref notifyFd, "L", close: false);
            hub.WaitForClient(TimeSpan.FromSeconds(30));
        }
        using var log = new JsonLogWriter(paths.Log);
        var backoff = TimeSpan.FromMilliseconds(100);
        int exitCode;
        for (;;)
        {
            using var stdio = ContainerRunner.Stdio.Pipes(c.Spec.OpenStdin, c.Spec.Tty);
            RuntimeTask task;
            try
            {
                task = runner.Start(c, new StageStdio(stdio.Stdin, stdio.Stdout, stdio.Stderr));
            }
            catch (BerthException e)
            {
                Notify(ref notifyFd, $"E {e.ExitCode} {e.Message.Replace('\n', ' ')}");
                hub.Finish(e.ExitCode);
                if (c.Spec.AutoRemove) new ContainerLifecycle(service).Delete(c, volumes: true, released: true);
                return e.ExitCode;
            }
            stdio.CloseContainerEnds();
            Notify(ref notifyFd, "S");
            using var health = Deploy.Health.HealthChecker.Start(service, c, task.Pid);
            ShrinkWhileIdle();
            long started = Environment.TickCount64;
            var relay = new StreamRelay
            {
                Pid = task.WaitPid, ContainerStdout = stdio.StdoutRead, ContainerStderr = stdio.StderrRead, Pty = task.PtyMaster,
                ContainerStdin = stdio.StdinWrite, Log = log, Attach = hub,
            };
            stdio.StdoutRead = stdio.StderrRead = -1;
            stdio.StdinWrite = -1;
            exitCode = relay.Run();
            health?.Dispose();
            Fds.Close(ref relay.ContainerStdin);
            Fds.Close(ref relay.Pty);
            runner.Finish(c, exitCode);
            c = service.Store.Get(id);
            if (c is null) return exitCode; // removed meanwhile (rm -f)
            if (Environment.TickCount64 - started > 10_000) backoff = TimeSpan.FromMilliseconds(100);
            if (!ShouldRestart(c, exitCode) || !WaitToRestart(c, backoff)) break;
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
            c = service.Store.Get(id);
            if (c is null) return exitCode;
        }
        hub.Finish(exitCode);
        if (c.Spec.AutoRemove) new ContainerLifecycle(service).Delete(c, volumes: true, released: true);
        return exitCode;
    }

    /// <summary>
    /// A monitor mostly waits. What starting the container allocated (the database's page cache, parsed
    /// JSON, the GC's young generation) is given back, so an idle monitor costs little memory.
    /// </summary>
    private void ShrinkWhileIdle()
    {
        try { service.Root.Db.Execute("PRAGMA shrink_memory"); } catch (Microsoft.Data.Sqlite.SqliteException) { }
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Libc.malloc_trim(0);
    }

    private static bool ShouldRestart(Container c, int exitCode) => !c.StopRequested && c.Spec.RestartPolicy.Name switch
    {
        "always" or "unless-stopped" => true,
        "on-failure" => exitCode != 0 && (c.Spec.RestartPolicy.MaximumRetryCount == 0 || c.RestartCount < c.Spec.RestartPolicy.MaximumRetryCount),
        _ => false,
    };

    /// <summary>Marks the container restarting and sleeps the backoff; false if it was stopped meanwhile.</summary>
    private bool WaitToRestart(Container c, TimeSpan backoff)
    {
        service.Store.MarkRestarting(c.Id);
        var until = DateTime.UtcNow + backoff;
        while (DateTime.UtcNow < until)
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(100, Math.Max(1, (until - DateTime.UtcNow).TotalMilliseconds))));
            if (service.Store.Get(c.Id) is not { StopRequested: false })
            {
                if (service.Store.Get(c.Id) is { } gone) service.Store.MarkExited(gone.Id, gone.ExitCode, gone.OomKilled, DateTimeOffset.UtcNow);
                return false;
            }
        }
        return true;
    }

    private static void Notify(ref int fd, string message, bool close = true)
    {
        if (fd < 0) return;
        Fds.WriteAll(fd, Encoding.UTF8.GetBytes(message + "\n"));
        if (close) Fds.Close(ref fd);
    }
}
