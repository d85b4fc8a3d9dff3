namespace Berth.Engine.Compose;

/// <summary>A compose project after loading: files merged, variables interpolated, defaults applied.</summary>
public sealed record ComposeProject
{
    public required string Name { get; init; }
    /// <summary>The directory relative paths (build contexts, binds, env files) are resolved against.</summary>
    public required string WorkingDir { get; init; }
    public List<ComposeService> Services { get; init; } = [];
    public Dictionary<string, ComposeNetwork> Networks { get; init; } = [];
    public Dictionary<string, ComposeVolume> Volumes { get; init; } = [];
    /// <summary>Keys that were ignored (unknown or not supported), one line each with file, line and column.</summary>
    public List<string> Warnings { get; init; } = [];

    public ComposeService Service(string name) =>
        Services.FirstOrDefault(s => s.Name == name) ?? throw new BerthException($"no such service: {name} (project {Name} has {string.Join(", ", Services.Select(s => s.Name))})");

    /// <summary>The default network every service without a networks key joins: <c>&lt;project&gt;_default</c>.</summary>
    public const string DefaultNetwork = "default";
}

public sealed record ComposeService
{
    public required string Name { get; init; }
    public string? Image { get; init; }
    public ComposeBuild? Build { get; init; }
    public List<string>? Command { get; init; }
    public List<string>? Entrypoint { get; init; }
    /// <summary>KEY=VALUE, env_file entries first, environment after (a later key wins).</summary>
    public List<string> Environment { get; init; } = [];
    public List<ComposePort> Ports { get; init; } = [];
    public List<string> Expose { get; init; } = [];
    public List<ComposeMount> Volumes { get; init; } = [];
    /// <summary>Network key (as in the file) to the aliases asked for on it.</summary>
    public Dictionary<string, List<string>> Networks { get; init; } = [];
    public string? NetworkMode { get; init; }
    /// <summary>Service name to condition: service_started, service_healthy, service_completed_successfully.</summary>
    public Dictionary<string, string> DependsOn { get; init; } = [];
    public ComposeHealthcheck? Healthcheck { get; init; }
    public string Restart { get; init; } = "no";
    public int Replicas { get; init; } = 1;
    public Dictionary<string, string> Labels { get; init; } = [];
    public string? User { get; init; }
    public string? WorkingDir { get; init; }
    public string? Hostname { get; init; }
    public string? ContainerName { get; init; }
    public string? StopSignal { get; init; }
    public int? StopGracePeriodSeconds { get; init; }
    public bool Init { get; init; }
    public bool Privileged { get; init; }
    public bool ReadOnly { get; init; }
    public bool Tty { get; init; }
    public bool StdinOpen { get; init; }
    public List<string> CapAdd { get; init; } = [];
    public List<string> CapDrop { get; init; } = [];
    public List<string> Tmpfs { get; init; } = [];
    public List<string> Dns { get; init; } = [];
    public List<string> DnsSearch { get; init; } = [];
    public List<string> DnsOptions { get; init; } = [];
    /// <summary>extra_hosts, as <c>name:address</c>.</summary>
    public List<string> ExtraHosts { get; init; } = [];
    /// <summary>deploy.update_config: how many replicas a rollout starts at once, and its order.</summary>
    public int UpdateParallelism { get; init; } = 1;
    public string UpdateOrder { get; init; } = "start-first";
}

public sealed record ComposeBuild
{
    public required string Context { get; init; }
    public string? Dockerfile { get; init; }
    public Dictionary<string, string> Args { get; init; } = [];
    public string? Target { get; init; }
    public Dictionary<string, string> Labels { get; init; } = [];
}

public sealed record ComposePort
{
    public string HostIp { get; init; } = "";
    /// <summary>The host port; 0 when the engine chooses one.</summary>
    public int Published { get; init; }
    public required int Target { get; init; }
    public string Protocol { get; init; } = "tcp";

    public override string ToString() =>
        (HostIp.Length > 0 ? HostIp + ":" : "") + (Published > 0 ? Published + ":" : HostIp.Length > 0 ? ":" : "") + Target + (Protocol == "tcp" ? "" : "/" + Protocol);
}

public sealed record ComposeMount
{
    /// <summary>bind, volume or tmpfs.</summary>
    public required string Type { get; init; }
    /// <summary>An absolute host path (bind), the volume's key in the file (volume; empty: anonymous), empty (tmpfs).</summary>
    public string Source { get; init; } = "";
    public required string Target { get; init; }
    public bool ReadOnly { get; init; }
}

public sealed record ComposeHealthcheck
{
    /// <summary>Docker's form: ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"].</summary>
    public List<string> Test { get; init; } = [];
    public TimeSpan? Interval { get; init; }
    public TimeSpan? Timeout { get; init; }
    public TimeSpan? StartPeriod { get; init; }
    public TimeSpan? StartInterval { get; init; }
    public int? Retries { get; init; }
}

public sealed record ComposeNetwork
{
    /// <summary>The engine's name: <c>&lt;project&gt;_&lt;key&gt;</c>, or <c>name:</c>, or the key when external.</summary>
    public required string Name { get; init; }
    public bool External { get; init; }
    public bool Internal { get; init; }
    public string Driver { get; init; } = "bridge";
    public string? Subnet { get; init; }
    public Dictionary<string, string> Labels { get; init; } = [];
}

public sealed record ComposeVolume
{
    public required string Name { get; init; }
    public bool External { get; init; }
    public Dictionary<string, string> Labels { get; init; } = [];
}
