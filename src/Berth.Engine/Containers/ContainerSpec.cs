using System.Text.Json.Serialization;

namespace Berth.Engine.Containers;

/// <summary>
/// Everything a container was created with, image defaults already applied: what <c>inspect</c> shows
/// as Config and HostConfig, and what every start builds the runtime spec from. Stored as JSON.
/// </summary>
public sealed record ContainerSpec
{
    public required string Image { get; init; }
    public required string ImageId { get; init; }
    public string Hostname { get; init; } = "";
    public string Domainname { get; init; } = "";
    /// <summary>As given (name, uid, name:group); resolved against the image's /etc/passwd at create.</summary>
    public string User { get; init; } = "";
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public List<uint> AdditionalGids { get; init; } = [];
    public List<string> Env { get; init; } = [];
    public List<string>? Entrypoint { get; init; }
    public List<string>? Cmd { get; init; }
    public string WorkingDir { get; init; } = "";
    public Dictionary<string, string> Labels { get; init; } = [];
    public string StopSignal { get; init; } = "SIGTERM";
    public int? StopTimeout { get; init; }
    public bool Tty { get; init; }
    public bool OpenStdin { get; init; }
    public bool Init { get; init; }
    public List<MountSpec> Mounts { get; init; } = [];
    public bool ReadonlyRootfs { get; init; }
    public long Memory { get; init; }
    public long MemorySwap { get; init; }
    public long NanoCpus { get; init; }
    public long? PidsLimit { get; init; }
    public List<string> CapAdd { get; init; } = [];
    public List<string> CapDrop { get; init; } = [];
    public bool Privileged { get; init; }
    public string NetworkMode { get; init; } = "bridge";
    /// <summary>Published ports as asked for (-p); host ports 0 are chosen at each start.</summary>
    public List<Networking.Ports.PortBinding> Ports { get; init; } = [];
    /// <summary>-P: every exposed port gets a random host port.</summary>
    public bool PublishAll { get; init; }
    /// <summary>The image's EXPOSE entries, --expose and the published ports: <c>80/tcp</c>.</summary>
    public List<string> ExposedPorts { get; init; } = [];
    public List<string> Dns { get; init; } = [];
    public List<string> DnsSearch { get; init; } = [];
    public List<string> DnsOptions { get; init; } = [];
    /// <summary>--add-host entries, <c>name:address</c> (see <see cref="Networking.ExtraHosts"/>).</summary>
    public List<string> ExtraHosts { get; init; } = [];
    public RestartPolicy RestartPolicy { get; init; } = new();
    public bool AutoRemove { get; init; }
    /// <summary>"berth" (built-in), or an OCI runtime binary: crun, runc, a path.</summary>
    public string Runtime { get; init; } = "berth";
    public long ShmSize { get; init; } = 64L << 20;
    /// <summary>The health check the monitor runs: the service's or -run's settings over the image's HEALTHCHECK; null or ["NONE"] for none.</summary>
    public Oci.HealthConfig? Healthcheck { get; init; }

    /// <summary>The command line: entrypoint then cmd.</summary>
    [JsonIgnore]
    public List<string> Command => [.. Entrypoint ?? [], .. Cmd ?? []];
}

/// <summary>One -v, --mount or --tmpfs: a host path, a named (or anonymous) volume, or a tmpfs.</summary>
public sealed record MountSpec
{
    /// <summary>bind, volume or tmpfs.</summary>
    public required string Type { get; init; }
    /// <summary>The host path (bind) or volume name (volume); empty for tmpfs.</summary>
    public string Source { get; init; } = "";
    public required string Target { get; init; }
    public bool ReadOnly { get; init; }
    /// <summary>An anonymous volume, removed with the container by <c>rm -v</c>.</summary>
    public bool Anonymous { get; init; }
    /// <summary>tmpfs options (size=, mode=) or bind propagation.</summary>
    public string Options { get; init; } = "";
}

public sealed record RestartPolicy
{
    /// <summary>no, always, unless-stopped, on-failure.</summary>
    public string Name { get; init; } = "no";
    public int MaximumRetryCount { get; init; }

    public static RestartPolicy Parse(string text)
    {
        var parts = text.Split(':', 2);
        var name = parts[0];
        if (name is not ("no" or "always" or "unless-stopped" or "on-failure"))
            throw new BerthException($"invalid restart policy '{text}': use no, always, unless-stopped or on-failure[:max-retries]");
        int max = 0;
        if (parts.Length == 2)
        {
            if (name != "on-failure") throw new BerthException($"invalid restart policy '{text}': only on-failure takes a maximum retry count");
            if (!int.TryParse(parts[1], out max) || max < 0) throw new BerthException($"invalid restart policy '{text}': maximum retry count must be a non-negative integer");
        }
        return new RestartPolicy { Name = name, MaximumRetryCount = max };
    }
}
