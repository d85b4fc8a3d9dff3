using System.Text;
using Berth.Engine.Events;
using Berth.Engine.Runtime;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Containers;

/// <summary>start (detached), stop, kill, restart, wait, rename and rm: the verbs that change a container's state.</summary>
public sealed class ContainerLifecycle(ContainerService service)
{
    private ContainerStore Store => service.Store;

    /// <summary>Starts a created or stopped container under a new monitor; returns once it runs (or throws
    /// the start error with docker's exit code). With <paramref name="attach"/>, the monitor waits for an
    /// attach client before starting, and the connected client is returned (the caller reads from it).</summary>
    public AttachClient? StartDetached(Container c, bool attach = false)
    {
        if (c.Running) return attach ? AttachClient.Connect(service.Paths(c.Id).Dir) : null;
        var cmd = service.MonitorCommand ?? throw new BerthException("cannot start a detached container from here: no monitor command", BerthException.EngineError);
        var (notifyRead, notifyWrite) = Fds.Pipe();
        int devNull = Fds.Open("/dev/null", Libc.O_RDWR);
        AttachClient? client = null;
        try
        {
            var argv = new List<string> { "berth" };
            argv.AddRange(cmd.Args);
            argv.Add(c.Id);
            if (attach) argv.Add("--attach-first");
            Spawner.Spawn(cmd.Executable, argv, MonitorEnvironment(), [devNull, devNull, devNull, notifyWrite], newSession: true);
            Fds.Close(ref notifyWrite);
            Fds.Close(ref devNull);
            var reader = new NotifyReader(notifyRead);
            for (;;)
            {
                var msg = reader.Next();
                if (msg is null) throw new BerthException($"the monitor of container {c.ShortId} exited before the container started", BerthException.EngineError);
                if (msg == "L") { client = AttachClient.Connect(service.Paths(c.Id).Dir) ?? throw new BerthException("cannot attach to the container's monitor", BerthException.EngineError); continue; }
                if (msg == "S") return client;
                if (msg.StartsWith("E ", StringComparison.Ordinal))
                {
                    client?.Dispose();
                    var rest = msg[2..];
                    int sp = rest.IndexOf(' ');
                    int code = sp > 0 && int.TryParse(rest.AsSpan(0, sp), out var n) ? n : BerthException.EngineError;
                    throw new BerthException(sp > 0 ? rest[(sp + 1)..] : rest, code);
                }
            }
        }
        catch
        {
            client?.Dispose();
            throw;
        }
        finally
        {
            Fds.Close(ref notifyRead);
            Fds.Close(ref notifyWrite);
            Fds.Close(ref devNull);
        }
    }

    /// <summary>A monitor lives as long as its container: a small GC budget keeps its memory small. DOTNET_*
    /// variables of the caller are passed on (and win), so the GC can be tuned.</summary>
    private static List<string> MonitorEnvironment()
    {
        var env = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin",
            ["DOTNET_GCgen0size"] = "0x80000",
            ["DOTNET_GCHeapHardLimit"] = "0x4000000",
        };
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string k && k.StartsWith("DOTNET_", StringComparison.Ordinal) && e.Value is string v) env[k] = v;
        return env.Select(kv => kv.Key + "=" + kv.Value).ToList();
    }

    /// <summary>docker stop: the stop signal, then SIGKILL after the timeout; returns once the exit is recorded.</summary>
    public void Stop(Container c, int? timeoutSeconds)
    {
        if (!c.Running) return;
        Store.SetStopRequested(c.Id, true);
        service.Events.Container("stop", c);
        var timeout = TimeSpan.FromSeconds(timeoutSeconds ?? c.Spec.StopTimeout ?? 10);
        if (c.State == ContainerState.Running && c.Pid > 0)
        {
            Signal(c, Signals.Parse(c.Spec.StopSignal));
            if (!ChildProcess.WaitGone(c.Pid, c.PidStart, timeout))
            {
                Signal(c, Signals.SIGKILL);
                ChildProcess.WaitGone(c.Pid, c.PidStart, TimeSpan.FromSeconds(30));
            }
        }
        WaitForMonitor(c);
    }

    public void Kill(Container c, int signal)
    {
        if (c.State != ContainerState.Running || c.Pid <= 0)
            throw new BerthException($"cannot kill container: {c.Name}: container {c.Id} is not running");
        service.Events.Container("kill", c, ("signal", signal.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Signal(c, signal);
        if (signal == Signals.SIGKILL) ChildProcess.WaitGone(c.Pid, c.PidStart, TimeSpan.FromSeconds(10));
    }

    private void Signal(Container c, int signal)
    {
        if (!ChildProcess.IsAlive(c.Pid, c.PidStart)) return;
        service.RuntimeFor(c.Spec, c.Id).Signal(c.Id, c.Pid, signal);
    }

    /// <summary>Waits for the process that records the exit (a monitor or a foreground CLI) to be done with it.</summary>
    private void WaitForMonitor(Container c)
    {
        if (c.MonitorPid == Environment.ProcessId) return;
        ChildProcess.WaitGone(c.MonitorPid, c.MonitorStart, TimeSpan.FromSeconds(30));
        for (int i = 0; i < 300 && service.Find(c.Id) is { Running: true }; i++) Thread.Sleep(10);
    }

    /// <summary>docker wait: blocks until the container stops and returns its exit code.</summary>
    public int Wait(Container c)
    {
        for (;;)
        {
            if (c.Running) WaitForMonitor(c);
            var fresh = service.Find(c.Id);
            if (fresh is null) return c.ExitCode;
            if (fresh.State is ContainerState.Exited or ContainerState.Dead) return fresh.ExitCode;
            if (!fresh.Running) Thread.Sleep(100);
            c = fresh;
        }
    }

    public void Restart(Container c, int? timeoutSeconds)
    {
        Stop(c, timeoutSeconds);
        StartDetached(service.Get(c.Id));
    }

    public void Rename(Container c, string newName)
    {
        NameGenerator.Validate(newName);
        if (newName == c.Name) throw new BerthException($"Renaming a container with the same name as its current name");
        Store.Rename(c.Id, newName);
        service.Events.Container("rename", c with { Name = newName }, ("oldName", "/" + c.Name));
    }

    /// <summary>docker rm: refuses a running container unless forced; -v also removes its anonymous volumes.</summary>
    public void Remove(Container c, bool force, bool volumes)
    {
        if (c.Running)
        {
            if (!force)
                throw new BerthException($"cannot remove container \"/{c.Name}\": container is {c.State}: stop the container before removing or force remove");
            Store.SetStopRequested(c.Id, true);
            if (c.Pid > 0) Signal(c, Signals.SIGKILL);
            WaitForMonitor(c);
        }
        Delete(c, volumes);
    }

    /// <summary>Removes what a stopped container owns: cgroups (unless <paramref name="released"/> says they
    /// are gone already), its layer and record (one transaction), its directory, and with
    /// <paramref name="volumes"/> its anonymous volumes.</summary>
    public void Delete(Container c, bool volumes, bool released = false)
    {
        if (!released)
        {
            try { service.RuntimeFor(c.Spec, c.Id).Cleanup(c.Id, service.Paths(c.Id).Bundle); }
            catch (BerthException) { }
            try { service.Network.Detach(c); }
            catch (BerthException) { }
        }
        service.Root.Db.InTransaction(() =>
        {
            try { service.Snapshots.Remove(c.SnapshotKey); }
            catch (NotFoundException) { }
            Store.Delete(c.Id);
        });
        BundleDirectories.Remove(service.Paths(c.Id).Dir, service.Root.TmpDir);
        service.Events.Container("destroy", c);
        Phases.Mark("rm: removed");
        var anonymous = volumes ? c.Spec.Mounts.Where(m => m.Type == "volume" && m.Anonymous).Select(m => m.Source).ToList() : [];
        if (anonymous.Count == 0) return;
        var all = Store.List();
        foreach (var v in anonymous)
            try { service.Volumes.Remove(v, all, force: true); } catch (BerthException) { }
    }

    /// <summary>container prune: removes every stopped container; returns their IDs.</summary>
    public IReadOnlyList<string> Prune(Func<Container, bool>? filter = null)
    {
        var removed = new List<string>();
        foreach (var c in service.List().Where(c => !c.Running && (filter?.Invoke(c) ?? true)))
        {
            Delete(c, volumes: false);
            removed.Add(c.Id);
        }
        return removed;
    }

    /// <summary>Reads the monitor's notify pipe: one message per line.</summary>
    private sealed class NotifyReader(int fd)
    {
        private readonly StringBuilder _pending = new();

        public string? Next()
        {
            var buf = new byte[512];
            for (;;)
            {
                var text = _pending.ToString();
                int nl = text.IndexOf('\n');
                if (nl >= 0)
                {
                    _pending.Remove(0, nl + 1);
                    return text[..nl];
                }
                int n = Fds.Read(fd, buf);
                if (n <= 0) return text.Length > 0 ? Take() : null;
                _pending.Append(Encoding.UTF8.GetString(buf, 0, n));
            }
        }

        private string Take()
        {
            var s = _pending.ToString();
            _pending.Clear();
            return s;
        }
    }
}
