using System.Runtime.InteropServices;
using Berth.Engine.Runtime;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Runtime.Spec;
using Berth.Engine.Runtime.Stage;

namespace Berth.Engine.Containers;

/// <summary>
/// <c>run</c> without -d: the CLI is the container's monitor. It relays stdio (raw terminal with -t),
/// forwards signals, writes the log, records the exit, and removes the container with --rm.
/// With --rm and no terminal, nothing needs relaying: the container gets our own descriptors.
/// </summary>
public sealed class ForegroundRun(ContainerService service)
{
    private static readonly PosixSignal[] Forwarded =
    [
        PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT,
        (PosixSignal)10 /* SIGUSR1 */, (PosixSignal)12 /* SIGUSR2 */,
    ];

    public int Run(Container c, RuntimeSpec? spec, bool interactive)
    {
        var runner = new ContainerRunner(service);
        bool tty = c.Spec.Tty;
        bool direct = c.Spec.AutoRemove && !tty;
        using var stdio = direct ? DirectStdio(interactive) : ContainerRunner.Stdio.Pipes(input: false, tty);
        if (!direct && !tty && interactive) { Fds.Close(ref stdio.Stdin); stdio.Stdin = 0; }
        if (tty && spec?.Process is { } p && Terminal.Size(interactive ? 0 : 1) is { } size)
            spec = spec with { Process = p with { ConsoleSize = new SpecBox { Height = size.Rows, Width = size.Cols } } };
        var task = runner.Start(c, new StageStdio(stdio.Stdin, stdio.Stdout, stdio.Stderr), spec);
        if (direct) stdio.Stdin = stdio.Stdout = stdio.Stderr = -1; else stdio.CloseContainerEnds();

        var runtime = service.RuntimeFor(c.Spec, c.Id);
        var registrations = Forwarded.Select(sig => PosixSignalRegistration.Create(sig, ctx =>
        {
            ctx.Cancel = true;
            try { runtime.Signal(c.Id, task.Pid, (int)ctx.Signal is var s && s < 0 ? Native(ctx.Signal) : (int)ctx.Signal); }
            catch (BerthException) { }
        })).ToList();
        int exitCode;
        try
        {
            exitCode = direct ? ChildProcess.Wait(task.WaitPid) : Relay(c, task, stdio, interactive);
        }
        finally
        {
            foreach (var r in registrations) r.Dispose();
        }
        if (c.Spec.AutoRemove)
        {
            runner.Release(c);
            runner.Died(c, exitCode);
            new ContainerLifecycle(service).Delete(c, volumes: true, released: true);
        }
        else runner.Finish(c, exitCode);
        return exitCode;
    }

    private static ContainerRunner.Stdio DirectStdio(bool interactive) => new()
    {
        Stdin = interactive ? 0 : Fds.Open("/dev/null", Libc.O_RDONLY),
        Stdout = 1,
        Stderr = 2,
    };

    private int Relay(Container c, RuntimeTask task, ContainerRunner.Stdio stdio, bool interactive)
    {
        using var log = new JsonLogWriter(service.Paths(c.Id).Log);
        using var raw = task.PtyMaster >= 0 && interactive ? Terminal.MakeRaw(0) : null;
        PosixSignalRegistration? winch = null;
        if (task.PtyMaster >= 0)
            winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ =>
            {
                if (Terminal.Size(interactive ? 0 : 1) is { } s) Terminal.SetSize(task.PtyMaster, s);
            });
        var relay = new StreamRelay
        {
            Pid = task.WaitPid, ContainerStdout = stdio.StdoutRead, ContainerStderr = stdio.StderrRead, Pty = task.PtyMaster,
            LocalStdin = task.PtyMaster >= 0 && interactive ? 0 : -1, LocalStdout = 1, LocalStderr = 2, Log = log,
        };
        stdio.StdoutRead = stdio.StderrRead = -1;
        try
        {
            return relay.Run();
        }
        finally
        {
            winch?.Dispose();
            Fds.Close(ref relay.Pty);
        }
    }

    private static int Native(PosixSignal s) => s switch
    {
        PosixSignal.SIGHUP => 1, PosixSignal.SIGINT => 2, PosixSignal.SIGQUIT => 3, PosixSignal.SIGTERM => 15,
        _ => 15,
    };
}
