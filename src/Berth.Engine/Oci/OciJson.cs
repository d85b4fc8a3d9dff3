using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Engine.Oci;

/// <summary>Source-generated JSON for the OCI types (fast, and safe for trimming and NativeAOT).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Manifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ManifestProbe))]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(ContainerConfig))]
[JsonSerializable(typeof(HealthConfig))]
[JsonSerializable(typeof(Descriptor))]
[JsonSerializable(typeof(OciLayoutMarker))]
public sealed partial class OciJson : JsonSerializerContext
{
    /// <summary>Parses a document, turning malformed JSON into a one-line error that names its source.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new BerthException($"{what}: empty JSON document");
        }
        catch (JsonException e)
        {
            throw new BerthException($"{what}: malformed JSON: {e.Message}");
        }
    }

    public static byte[] Bytes<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.SerializeToUtf8Bytes(value, type);
}

/// <summary>The <c>oci-layout</c> file of an OCI image layout.</summary>
public sealed record OciLayoutMarker
{
    [JsonPropertyName("imageLayoutVersion")] public string ImageLayoutVersion { get; init; } = "1.0.0";
}
