using System.Text.Json.Serialization;
using Berth.Engine.Oci;

namespace Berth.Engine.Images.Archives;

/// <summary>One entry of a docker-archive's <c>manifest.json</c>.</summary>
public sealed record DockerArchiveEntry
{
    [JsonPropertyName("Config")] public required string Config { get; init; }
    [JsonPropertyName("RepoTags")] public List<string>? RepoTags { get; init; }
    [JsonPropertyName("Layers")] public required List<string> Layers { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<DockerArchiveEntry>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
internal sealed partial class ArchiveJson : JsonSerializerContext;
