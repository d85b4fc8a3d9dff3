namespace Berth.Engine.Containers;

/// <summary>docker's container states (paused is not produced yet; removing is transient).</summary>
public static class ContainerState
{
    public const string Created = "created", Running = "running", Paused = "paused", Restarting = "restarting",
        Exited = "exited", Dead = "dead", Removing = "removing";

    /// <summary>States in which a process may exist and a monitor owns the container.</summary>
    public static bool IsActive(string state) => state is Running or Restarting or Paused;
}

/// <summary>A container as the metadata database records it.</summary>
public sealed record Container
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required ContainerSpec Spec { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required string State { get; init; }
    /// <summary>The container's PID 1 on the host, while it runs.</summary>
    public int Pid { get; init; }
    public long PidStart { get; init; }
    /// <summary>The process that waits for it and writes its logs (a monitor, or the foreground CLI).</summary>
    public int MonitorPid { get; init; }
    public long MonitorStart { get; init; }
    public int ExitCode { get; init; }
    public bool OomKilled { get; init; }
    public string Error { get; init; } = "";
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public int RestartCount { get; init; }
    /// <summary>Set by stop: the restart policy must not bring it back.</summary>
    public bool StopRequested { get; init; }
    public required string SnapshotKey { get; init; }

    public string ShortId => Id[..12];

    public bool Running => State is ContainerState.Running or ContainerState.Paused or ContainerState.Restarting;
}
