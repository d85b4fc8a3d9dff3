namespace Berth.Engine.Deploy.Health;

/// <summary>docker's State.Health: the status, the failing streak, and the last five probes.</summary>
public sealed record HealthState
{
    public const string Starting = "starting", Healthy = "healthy", Unhealthy = "unhealthy";

    public string Status { get; init; } = Starting;
    public int FailingStreak { get; init; }
    public List<HealthProbeResult> Log { get; init; } = [];

    /// <summary>docker's rules: success makes it healthy; a failure counts toward retries unless it happens
    /// while still starting inside the start period; retries failures in a row make it unhealthy.</summary>
    public HealthState After(HealthProbeResult probe, HealthSettings settings, bool inStartPeriod)
    {
        var log = Log.Count >= 5 ? Log[(Log.Count - 4)..] : [.. Log];
        log.Add(probe);
        if (probe.ExitCode == 0) return new HealthState { Status = Healthy, FailingStreak = 0, Log = log };
        if (inStartPeriod && Status == Starting) return this with { Log = log };
        int streak = FailingStreak + 1;
        return new HealthState { Status = streak >= settings.Retries ? Unhealthy : Status, FailingStreak = streak, Log = log };
    }
}

public sealed record HealthProbeResult
{
    public DateTimeOffset Start { get; init; }
    public DateTimeOffset End { get; init; }
    /// <summary>0 healthy, 1 unhealthy, -1 the probe could not run or timed out.</summary>
    public int ExitCode { get; init; }
    public string Output { get; init; } = "";
}
