using System.Runtime.InteropServices;
using Berth.Engine.Runtime;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Runtime.Spec;
using Berth.Engine.Runtime.Stage;

namespace Berth.Engine.Containers;

/// <summary>What <c>exec</c> was asked for.</summary>
public sealed record ExecOptions
{
    public required List<string> Args { get; init; }
    public bool Interactive { get; init; }
    public bool Tty { get; init; }
    public bool Detach { get; init; }
    public List<string> Env { get; init; } = [];
    public string? User { get; init; }
    public string? WorkingDir { get; init; }
    public bool Privileged { get; init; }
}

/// <summary>
/// <c>exec</c>: a new process in a running container's namespaces and cgroups, with the container's
/// capabilities, environment and user unless told otherwise. Our stdio is handed straight to it
/// (or relayed through a pty with -t); it is our child, so we wait for it directly.
/// </summary>
public sealed class ContainerExec(ContainerService service)
{
    public int Run(Container c, ExecOptions o)
    {
        if (c.State != ContainerState.Running || !ChildProcess.IsAlive(c.Pid, c.PidStart))
            throw new BerthException($"container {c.Id} is not running");
        if (o.Args.Count == 0) throw new BerthException("exec requires at least 1 argument: the command to run");
        var paths = service.Paths(c.Id);
        var spec = RuntimeSpecFile.Read(paths.Bundle);
        var baseProcess = spec.Process ?? new SpecProcess();
        var user = baseProcess.User;
        if (o.User is { Length: > 0 } u)
        {
            var root = $"/proc/{c.Pid}/root";
            var r = UserResolver.Resolve(u, p => File.Exists(root + p) ? File.ReadAllText(root + p) : null);
            user = new SpecUser { Uid = r.Uid, Gid = r.Gid, AdditionalGids = r.AdditionalGids.Count > 0 ? r.AdditionalGids : null };
        }
        var caps = baseProcess.Capabilities;
        if (o.Privileged)
        {
            var all = Capabilities.Known.ToList();
            caps = new SpecCapabilities { Bounding = all, Effective = all, Permitted = all };
        }
        var process = baseProcess with
        {
            Terminal = o.Tty,
            Args = o.Args,
            Env = ContainerCreator.MergeEnv(baseProcess.Env ?? [], o.Env),
            Cwd = o.WorkingDir is { Length: > 0 } w ? w : baseProcess.Cwd,
            User = user,
            Capabilities = caps,
            NoNewPrivileges = !o.Privileged && baseProcess.NoNewPrivileges,
            ConsoleSize = o.Tty && Terminal.Size(o.Interactive ? 0 : 1) is { } size ? new SpecBox { Height = size.Rows, Width = size.Cols } : null,
        };

        int devNull = -1;
        try
        {
            StageStdio stdio;
            if (o.Detach || o.Tty)
            {
                devNull = Fds.Open("/dev/null", Libc.O_RDWR);
                stdio = new StageStdio(devNull, devNull, devNull);
            }
            else
            {
                if (!o.Interactive) devNull = Fds.Open("/dev/null", Libc.O_RDONLY);
                stdio = new StageStdio(o.Interactive ? 0 : devNull, 1, 2);
            }
            var runtime = service.RuntimeFor(c.Spec, c.Id);
            var task = runtime.Exec(new RuntimeExec(c.Id, paths.Bundle, c.Pid, process, stdio));
            Fds.Close(ref devNull);
            if (o.Detach) return 0;
            return o.Tty ? RelayTerminal(task, o.Interactive) : WaitForwardingSignals(task);
        }
        finally
        {
            Fds.Close(ref devNull);
        }
    }

    private static int WaitForwardingSignals(RuntimeTask task)
    {
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; Libc.kill(task.Pid, 2); });
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; Libc.kill(task.Pid, 15); });
        return ChildProcess.Wait(task.WaitPid);
    }

    private static int RelayTerminal(RuntimeTask task, bool interactive)
    {
        using var raw = interactive ? Terminal.MakeRaw(0) : null;
        using var winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ =>
        {
            if (Terminal.Size(interactive ? 0 : 1) is { } s) Terminal.SetSize(task.PtyMaster, s);
        });
        var relay = new StreamRelay { Pid = task.WaitPid, Pty = task.PtyMaster, LocalStdin = interactive ? 0 : -1, LocalStdout = 1, LocalStderr = 2 };
        try { return relay.Run(); }
        finally { Fds.Close(ref relay.Pty); }
    }
}
