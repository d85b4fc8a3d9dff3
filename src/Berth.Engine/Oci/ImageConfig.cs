using System.Text.Json.Serialization;

namespace Berth.Engine.Oci;

/// <summary>
/// An image configuration: the OCI image spec's fields plus the ones Docker adds (Healthcheck,
/// OnBuild, Shell), so images move between Berth and Docker without losing them.
/// </summary>
public sealed record ImageConfig
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("architecture")] public string Architecture { get; init; } = "amd64";
    [JsonPropertyName("os")] public string Os { get; init; } = "linux";
    [JsonPropertyName("os.version")] public string? OsVersion { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }
    [JsonPropertyName("config")] public ContainerConfig? Config { get; init; }
    [JsonPropertyName("rootfs")] public RootFs RootFs { get; init; } = new();
    [JsonPropertyName("history")] public List<HistoryEntry>? History { get; init; }
}

/// <summary>The execution parameters an image gives its containers.</summary>
public sealed record ContainerConfig
{
    [JsonPropertyName("User")] public string? User { get; init; }
    [JsonPropertyName("ExposedPorts")] public Dictionary<string, EmptyObject>? ExposedPorts { get; init; }
    [JsonPropertyName("Env")] public List<string>? Env { get; init; }
    [JsonPropertyName("Entrypoint")] public List<string>? Entrypoint { get; init; }
    [JsonPropertyName("Cmd")] public List<string>? Cmd { get; init; }
    [JsonPropertyName("Volumes")] public Dictionary<string, EmptyObject>? Volumes { get; init; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; init; }
    [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; init; }
    [JsonPropertyName("StopSignal")] public string? StopSignal { get; init; }
    [JsonPropertyName("ArgsEscaped")] public bool? ArgsEscaped { get; init; }
    [JsonPropertyName("Healthcheck")] public HealthConfig? Healthcheck { get; init; }
    [JsonPropertyName("OnBuild")] public List<string>? OnBuild { get; init; }
    [JsonPropertyName("Shell")] public List<string>? Shell { get; init; }
}

/// <summary>Docker's HEALTHCHECK settings; durations are in nanoseconds, as Docker stores them.</summary>
public sealed record HealthConfig
{
    [JsonPropertyName("Test")] public List<string>? Test { get; init; }
    [JsonPropertyName("Interval")] public long? Interval { get; init; }
    [JsonPropertyName("Timeout")] public long? Timeout { get; init; }
    [JsonPropertyName("StartPeriod")] public long? StartPeriod { get; init; }
    [JsonPropertyName("StartInterval")] public long? StartInterval { get; init; }
    [JsonPropertyName("Retries")] public int? Retries { get; init; }
}

public sealed record RootFs
{
    [JsonPropertyName("type")] public string Type { get; init; } = "layers";
    [JsonPropertyName("diff_ids")] public List<Digest> DiffIds { get; init; } = [];
}

public sealed record HistoryEntry
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("comment")] public string? Comment { get; init; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; init; }
}

/// <summary>The <c>{}</c> values of Docker's set-like maps (ExposedPorts, Volumes).</summary>
public sealed record EmptyObject
{
    public static EmptyObject Instance { get; } = new();
}
