namespace Berth.Engine.Containers;

/// <summary>What a user asks for with <c>create</c>/<c>run</c>, before the image's defaults are applied.</summary>
public sealed record CreateOptions
{
    public required string Image { get; init; }
    public string? Name { get; init; }
    /// <summary>The command after the image name (replaces the image's Cmd when not empty).</summary>
    public List<string> Args { get; init; } = [];
    /// <summary>--entrypoint: null keeps the image's, "" clears it.</summary>
    public string? Entrypoint { get; init; }
    /// <summary>-e and --env-file entries, already read: KEY=VALUE.</summary>
    public List<string> Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public string? Hostname { get; init; }
    public string? StopSignal { get; init; }
    public int? StopTimeout { get; init; }
    public Dictionary<string, string> Labels { get; init; } = [];
    public bool Tty { get; init; }
    public bool OpenStdin { get; init; }
    public bool Init { get; init; }
    public bool ReadonlyRootfs { get; init; }
    public bool Privileged { get; init; }
    public bool AutoRemove { get; init; }
    /// <summary>Binds, volumes (Source empty: anonymous) and tmpfs mounts.</summary>
    public List<MountSpec> Mounts { get; init; } = [];
    public long Memory { get; init; }
    public long MemorySwap { get; init; }
    public long NanoCpus { get; init; }
    public long? PidsLimit { get; init; }
    public List<string> CapAdd { get; init; } = [];
    public List<string> CapDrop { get; init; } = [];
    public string NetworkMode { get; init; } = "bridge";
    /// <summary>--network-alias: names the container also answers to on its (user-defined) network.</summary>
    public List<string> NetworkAliases { get; init; } = [];
    /// <summary>Further user-defined networks joined at create (eth1, eth2...), each with its aliases.</summary>
    public List<NetworkJoin> MoreNetworks { get; init; } = [];
    /// <summary>--ip: a fixed address on its network.</summary>
    public string? Ip { get; init; }
    /// <summary>-p: published ports.</summary>
    public List<Networking.Ports.PortBinding> Ports { get; init; } = [];
    /// <summary>-P: every exposed port to a random host port.</summary>
    public bool PublishAll { get; init; }
    /// <summary>--expose: ports exposed in addition to the image's.</summary>
    public List<string> Expose { get; init; } = [];
    /// <summary>--dns: resolvers instead of the host's.</summary>
    public List<string> Dns { get; init; } = [];
    /// <summary>--dns-search and --dns-option: resolv.conf's search domains and options instead of the host's.</summary>
    public List<string> DnsSearch { get; init; } = [];
    public List<string> DnsOptions { get; init; } = [];
    /// <summary>--add-host: <c>name:address</c> entries for /etc/hosts.</summary>
    public List<string> ExtraHosts { get; init; } = [];
    public RestartPolicy RestartPolicy { get; init; } = new();
    public string Runtime { get; init; } = "berth";
    public long? ShmSize { get; init; }
    /// <summary>An entrypoint of several words (compose's list form); wins over <see cref="Entrypoint"/>.</summary>
    public List<string>? EntrypointArgs { get; init; }
    /// <summary>Health check settings over the image's HEALTHCHECK (zero fields inherit it; Test ["NONE"] disables).</summary>
    public Oci.HealthConfig? Healthcheck { get; init; }
}

/// <summary>A network a container joins besides its first, under <paramref name="Aliases"/>.</summary>
public sealed record NetworkJoin(string Network, IReadOnlyList<string> Aliases);
