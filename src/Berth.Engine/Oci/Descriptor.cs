using System.Text.Json.Serialization;

namespace Berth.Engine.Oci;

/// <summary>An OCI content descriptor: what a piece of content is, its digest and its size.</summary>
public sealed record Descriptor
{
    [JsonPropertyName("mediaType")] public required string MediaType { get; init; }
    [JsonPropertyName("digest")] public required Digest Digest { get; init; }
    [JsonPropertyName("size")] public required long Size { get; init; }
    [JsonPropertyName("urls")] public List<string>? Urls { get; init; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("data")] public string? Data { get; init; }
    [JsonPropertyName("platform")] public Platform? Platform { get; init; }
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; init; }

    public string? Annotation(string key) => Annotations is not null && Annotations.TryGetValue(key, out var v) ? v : null;
}

public sealed record Platform
{
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }
    [JsonPropertyName("os")] public required string Os { get; init; }
    [JsonPropertyName("os.version")] public string? OsVersion { get; init; }
    [JsonPropertyName("os.features")] public List<string>? OsFeatures { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }

    public static Platform Default { get; } = new() { Os = "linux", Architecture = "amd64" };

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";

    /// <summary>Parses <c>os/arch[/variant]</c>, as docker's <c>--platform</c> takes it.</summary>
    public static Platform Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
            throw new BerthException($"invalid platform \"{text}\": expected os/arch[/variant], e.g. linux/amd64");
        return new Platform { Os = parts[0], Architecture = parts[1], Variant = parts.Length == 3 ? parts[2] : null };
    }

    public bool Matches(Platform other) =>
        Os == other.Os && Architecture == other.Architecture && (other.Variant is null || Variant == other.Variant);
}

/// <summary>Annotation keys the OCI image spec defines.</summary>
public static class Annotations
{
    public const string RefName = "org.opencontainers.image.ref.name";
    public const string Created = "org.opencontainers.image.created";
    public const string ContainerdImageName = "io.containerd.image.name";
}
