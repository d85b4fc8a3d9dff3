using System.Text.Json.Serialization;

namespace Berth.Engine.Runtime.Spec;

/// <summary>
/// An OCI runtime bundle's <c>config.json</c> (runtime-spec 1.0 to 1.2): the fields Berth writes and
/// the built-in runtime honours. Unknown fields of other writers are ignored on read.
/// </summary>
public sealed record RuntimeSpec
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; init; } = "1.0.2";
    [JsonPropertyName("process")] public SpecProcess? Process { get; init; }
    [JsonPropertyName("root")] public SpecRoot? Root { get; init; }
    [JsonPropertyName("hostname")] public string? Hostname { get; init; }
    [JsonPropertyName("domainname")] public string? Domainname { get; init; }
    [JsonPropertyName("mounts")] public List<SpecMount>? Mounts { get; init; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("linux")] public SpecLinux? Linux { get; init; }
}

public sealed record SpecProcess
{
    [JsonPropertyName("terminal")] public bool Terminal { get; init; }
    [JsonPropertyName("consoleSize")] public SpecBox? ConsoleSize { get; init; }
    [JsonPropertyName("user")] public SpecUser User { get; init; } = new();
    [JsonPropertyName("args")] public List<string> Args { get; init; } = [];
    [JsonPropertyName("env")] public List<string>? Env { get; init; }
    [JsonPropertyName("cwd")] public string Cwd { get; init; } = "/";
    [JsonPropertyName("capabilities")] public SpecCapabilities? Capabilities { get; init; }
    [JsonPropertyName("rlimits")] public List<SpecRlimit>? Rlimits { get; init; }
    [JsonPropertyName("noNewPrivileges")] public bool NoNewPrivileges { get; init; }
    [JsonPropertyName("oomScoreAdj")] public int? OomScoreAdj { get; init; }
}

public sealed record SpecBox
{
    [JsonPropertyName("height")] public uint Height { get; init; }
    [JsonPropertyName("width")] public uint Width { get; init; }
}

public sealed record SpecUser
{
    [JsonPropertyName("uid")] public uint Uid { get; init; }
    [JsonPropertyName("gid")] public uint Gid { get; init; }
    [JsonPropertyName("umask")] public uint? Umask { get; init; }
    [JsonPropertyName("additionalGids")] public List<uint>? AdditionalGids { get; init; }
}

public sealed record SpecCapabilities
{
    [JsonPropertyName("bounding")] public List<string>? Bounding { get; init; }
    [JsonPropertyName("effective")] public List<string>? Effective { get; init; }
    [JsonPropertyName("inheritable")] public List<string>? Inheritable { get; init; }
    [JsonPropertyName("permitted")] public List<string>? Permitted { get; init; }
    [JsonPropertyName("ambient")] public List<string>? Ambient { get; init; }
}

public sealed record SpecRlimit
{
    [JsonPropertyName("type")] public string Type { get; init; } = "";
    [JsonPropertyName("hard")] public ulong Hard { get; init; }
    [JsonPropertyName("soft")] public ulong Soft { get; init; }
}

public sealed record SpecRoot
{
    [JsonPropertyName("path")] public string Path { get; init; } = "rootfs";
    [JsonPropertyName("readonly")] public bool Readonly { get; init; }
}

public sealed record SpecMount
{
    [JsonPropertyName("destination")] public string Destination { get; init; } = "";
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("source")] public string? Source { get; init; }
    [JsonPropertyName("options")] public List<string>? Options { get; init; }
}

public sealed record SpecLinux
{
    [JsonPropertyName("sysctl")] public Dictionary<string, string>? Sysctl { get; init; }
    [JsonPropertyName("resources")] public SpecResources? Resources { get; init; }
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; init; }
    [JsonPropertyName("namespaces")] public List<SpecNamespace>? Namespaces { get; init; }
    [JsonPropertyName("devices")] public List<SpecDevice>? Devices { get; init; }
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; init; }
    [JsonPropertyName("maskedPaths")] public List<string>? MaskedPaths { get; init; }
    [JsonPropertyName("readonlyPaths")] public List<string>? ReadonlyPaths { get; init; }
}

public sealed record SpecNamespace
{
    /// <summary>pid, network, mount, ipc, uts, user, cgroup (time is not supported).</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "";
    [JsonPropertyName("path")] public string? Path { get; init; }
}

public sealed record SpecDevice
{
    [JsonPropertyName("path")] public string Path { get; init; } = "";
    [JsonPropertyName("type")] public string Type { get; init; } = "c";
    [JsonPropertyName("major")] public long Major { get; init; }
    [JsonPropertyName("minor")] public long Minor { get; init; }
    [JsonPropertyName("fileMode")] public uint? FileMode { get; init; }
    [JsonPropertyName("uid")] public uint? Uid { get; init; }
    [JsonPropertyName("gid")] public uint? Gid { get; init; }
}

public sealed record SpecResources
{
    [JsonPropertyName("devices")] public List<SpecDeviceRule>? Devices { get; init; }
    [JsonPropertyName("memory")] public SpecMemory? Memory { get; init; }
    [JsonPropertyName("cpu")] public SpecCpu? Cpu { get; init; }
    [JsonPropertyName("pids")] public SpecPids? Pids { get; init; }
}

public sealed record SpecDeviceRule
{
    [JsonPropertyName("allow")] public bool Allow { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("major")] public long? Major { get; init; }
    [JsonPropertyName("minor")] public long? Minor { get; init; }
    [JsonPropertyName("access")] public string? Access { get; init; }
}

public sealed record SpecMemory
{
    [JsonPropertyName("limit")] public long? Limit { get; init; }
    [JsonPropertyName("reservation")] public long? Reservation { get; init; }
    /// <summary>Memory plus swap (v1 memsw), as the runtime spec defines it; -1 for unlimited.</summary>
    [JsonPropertyName("swap")] public long? Swap { get; init; }
}

public sealed record SpecCpu
{
    [JsonPropertyName("shares")] public ulong? Shares { get; init; }
    [JsonPropertyName("quota")] public long? Quota { get; init; }
    [JsonPropertyName("period")] public ulong? Period { get; init; }
    [JsonPropertyName("cpus")] public string? Cpus { get; init; }
    [JsonPropertyName("mems")] public string? Mems { get; init; }
}

public sealed record SpecPids
{
    [JsonPropertyName("limit")] public long Limit { get; init; }
}
