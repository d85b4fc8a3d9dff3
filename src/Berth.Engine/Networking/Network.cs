using Berth.Engine.Networking.Ipam;

namespace Berth.Engine.Networking;

/// <summary>A network as the metadata database records it: docker's three predefined ones (bridge, host,
/// none) and user-defined bridges.</summary>
public sealed record Network
{
    public const string DefaultBridge = "bridge", Host = "host", None = "none";

    public required string Id { get; init; }
    public required string Name { get; init; }
    /// <summary>bridge, host or null (docker's driver names).</summary>
    public required string Driver { get; init; }
    /// <summary>The IPv4 subnet; empty for host and none, and for the default bridge until it is first used.</summary>
    public string Subnet { get; init; } = "";
    public string Gateway { get; init; } = "";
    /// <summary>The Linux bridge's name (empty until chosen).</summary>
    public string Bridge { get; init; } = "";
    /// <summary>No NAT, no traffic in or out of the network (--internal).</summary>
    public bool Internal { get; init; }
    public Dictionary<string, string> Labels { get; init; } = [];
    public DateTimeOffset Created { get; init; }

    public bool IsDefaultBridge => Name == DefaultBridge;

    /// <summary>host and none: no bridge, nothing to set up.</summary>
    public bool IsBridge => Driver == "bridge";

    /// <summary>Predefined networks cannot be removed (docker's rule).</summary>
    public bool Predefined => Name is DefaultBridge or Host or None;

    /// <summary>User-defined bridges resolve container names through the embedded DNS server.</summary>
    public bool HasDns => IsBridge && !IsDefaultBridge;

    public string ShortId => Id[..12];

    public Ipv4Subnet SubnetValue => Ipv4Subnet.Parse(Subnet);

    public uint GatewayValue => Ipv4.Parse(Gateway);
}

/// <summary>A container's membership of a network: what it asked for (aliases, a fixed address) and,
/// while it runs, what it got (address, MAC, host-side interface).</summary>
public sealed record Endpoint
{
    public required string ContainerId { get; init; }
    public required string NetworkId { get; init; }
    /// <summary>The order the container joined its networks in: eth0, eth1...</summary>
    public int Position { get; init; }
    public List<string> Aliases { get; init; } = [];
    /// <summary>--ip: the address asked for, or empty for any.</summary>
    public string StaticIp { get; init; } = "";
    /// <summary>The address while the container runs, else empty.</summary>
    public string Ip { get; init; } = "";
    public string Mac { get; init; } = "";
    public string HostInterface { get; init; } = "";
    public string EndpointId { get; init; } = "";

    public bool Active => Ip.Length > 0;

    public string ContainerInterface => "eth" + Position.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A published port of a running container: host address and port to container address and port.</summary>
public sealed record PortMapping
{
    public required string ContainerId { get; init; }
    /// <summary>tcp or udp.</summary>
    public required string Protocol { get; init; }
    /// <summary>0.0.0.0 for every address of the host.</summary>
    public required string HostIp { get; init; }
    public required int HostPort { get; init; }
    public required int ContainerPort { get; init; }
    public required string ContainerIp { get; init; }

    public bool AnyHostAddress => HostIp == "0.0.0.0";
}
