using Berth.Engine.Events;
using Berth.Engine.Runtime;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Snapshots;
using Berth.Engine.Volumes;

namespace Berth.Engine.Containers;

/// <summary>
/// The containers domain of one state root: records, volumes, images and runtimes, and the
/// lookups every command starts with. A container found running whose monitor has died is
/// reconciled (marked exited, its processes and cgroups cleaned) the moment it is looked up.
/// </summary>
public sealed class ContainerService
{
    public ContainerService(StateRoot root, IContainerImages images)
    {
        Root = root;
        Images = images;
        Store = new ContainerStore(root.Db);
        Volumes = new VolumeStore(root.Db, root.VolumesDir);
    }

    public StateRoot Root { get; }
    public IContainerImages Images { get; }
    public ContainerStore Store { get; }
    public VolumeStore Volumes { get; }
    public ISnapshotter Snapshots => Root.Snapshots;

    /// <summary>Attaches containers to their networks (see <see cref="IContainerNetwork"/>).</summary>
    public IContainerNetwork Network { get; set; } = NoNetwork.Instance;

    /// <summary>Where container events (create, start, die, stop, destroy...) are recorded.</summary>
    public Events.EventLog Events => _events ??= Berth.Engine.Events.EventLog.For(Root);

    private Events.EventLog? _events;

    /// <summary>How a detached container's monitor is started: the executable and the arguments before the
    /// container ID. The CLI sets this to itself (<c>berth --root R __berth-monitor</c>).</summary>
    public (string Executable, IReadOnlyList<string> Args)? MonitorCommand { get; set; }

    public ContainerPaths Paths(string id) => new(Root.ContainersDir, id);

    public IContainerRuntime RuntimeFor(ContainerSpec spec, string id) =>
        spec.Runtime is "berth" or "" or "builtin" ? BuiltinRuntime.Instance : new ExternalRuntime(spec.Runtime, Paths(id).RuntimeState);

    /// <summary>docker's lookup by ID, name or ID prefix; "No such container: x" when nothing matches.</summary>
    public Container Get(string idOrName) =>
        Find(idOrName) ?? throw new NotFoundException($"No such container: {idOrName}");

    public Container? Find(string idOrName) => Store.Find(idOrName) is { } c ? Reconcile(c) : null;

    public IReadOnlyList<Container> List() => Store.List().Select(Reconcile).ToList();

    /// <summary>Re-reads a container's record.</summary>
    public Container Reload(Container c) => Store.Get(c.Id) is { } fresh ? Reconcile(fresh) : c with { State = ContainerState.Removing };

    private Container Reconcile(Container c)
    {
        if (!ContainerState.IsActive(c.State) || ChildProcess.IsAlive(c.MonitorPid, c.MonitorStart)) return c;
        // Several commands may find the same dead monitor at once: one at a time, each re-reading the record
        // under the lock, so the first kills what is left and records the exit, and the others see it.
        using var _ = Util.FileLock.Exclusive(Path.Combine(Root.ContainersDir, "reconcile.lock"));
        // The record may also have been read just before its monitor recorded the exit and left (a monitor
        // writes the exit before it exits): read it again now that the monitor is known to be gone.
        if (Store.Get(c.Id) is not { } fresh) return c with { State = ContainerState.Removing };
        if (!ContainerState.IsActive(fresh.State) || ChildProcess.IsAlive(fresh.MonitorPid, fresh.MonitorStart)) return fresh;
        c = fresh;
        // Its monitor is gone (killed, crashed, or the host rebooted): nothing can wait for it any more.
        bool killed = false;
        if (ChildProcess.IsAlive(c.Pid, c.PidStart))
        {
            Libc.kill(c.Pid, 9);
            ChildProcess.WaitGone(c.Pid, c.PidStart, TimeSpan.FromSeconds(5));
            killed = true;
        }
        bool oom = false;
        try
        {
            oom = Runtime.Cgroups.CgroupDrivers.Host.Open(Runtime.Cgroups.CgroupDrivers.NameFor(c.Id)).OomKilled;
            RuntimeFor(c.Spec, c.Id).Cleanup(c.Id, Paths(c.Id).Bundle);
        }
        catch (BerthException) { }
        try { Network.Detach(c); }
        catch (BerthException) { }
        // the update lands only for this monitor: a record changed meanwhile by other means is left as it is
        if (Store.MarkMonitorLost(c.Id, c.MonitorPid, c.MonitorStart, killed ? 137 : 255, oom, DateTimeOffset.UtcNow, "the container's monitor process exited unexpectedly"))
            Events.Container("die", c, ("exitCode", killed ? "137" : "255"));
        return Store.Get(c.Id) ?? c;
    }
}
