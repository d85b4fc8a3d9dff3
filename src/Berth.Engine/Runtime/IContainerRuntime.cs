using Berth.Engine.Runtime.Spec;
using Berth.Engine.Runtime.Stage;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Runtime;

/// <summary>What starting a container needs: its bundle and spec, the rootfs mount (when the snapshot is
/// not already mounted at the bundle's root path), stdio, and a hook run once its PID is known and
/// before it execs (networking plugs in there).</summary>
public sealed record RuntimeLaunch(string Id, string BundleDir, RuntimeSpec Spec, Mount? Rootfs, StageStdio Stdio)
{
    /// <summary>Run a small init as PID 1 that forwards signals and reaps zombies (docker's --init).</summary>
    public bool Init { get; init; }

    /// <summary>Called with the container's host PID before the payload runs.</summary>
    public Action<int>? BeforeStart { get; init; }
}

/// <summary>A process started in a container (its PID 1, or an exec'd process).</summary>
public sealed record RuntimeTask
{
    /// <summary>Our child whose exit status is the container's (the container's PID 1 itself, or the
    /// external runtime's process that waits for it).</summary>
    public required int WaitPid { get; init; }

    /// <summary>The container's process as the host sees it.</summary>
    public required int Pid { get; init; }

    /// <summary>The pty master when the process has a terminal, else -1.</summary>
    public int PtyMaster { get; init; } = -1;
}

/// <summary>What an exec into a running container needs.</summary>
public sealed record RuntimeExec(string Id, string BundleDir, int ContainerPid, SpecProcess Process, StageStdio Stdio);

/// <summary>An OCI runtime: the built-in one (the C stage), or an external binary such as crun or runc.</summary>
public interface IContainerRuntime
{
    /// <summary>"berth" for the built-in runtime, else the binary's path or name.</summary>
    string Name { get; }

    /// <summary>Starts the container and returns once its payload runs; throws with docker's exit codes
    /// (125 engine, 126 cannot execute, 127 not found) when it cannot.</summary>
    RuntimeTask Start(RuntimeLaunch launch);

    RuntimeTask Exec(RuntimeExec exec);

    /// <summary>Sends a signal to the container's PID 1.</summary>
    void Signal(string id, int pid, int signal);

    /// <summary>Releases what a stopped container held: cgroups, host mounts, the runtime's own state.</summary>
    void Cleanup(string id, string bundleDir);
}
