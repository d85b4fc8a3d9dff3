using System.Text.Json.Serialization;
using Berth.Engine.Oci;

namespace Berth.Registry.Http;

public sealed record ErrorBody([property: JsonPropertyName("errors")] List<ErrorEntry> Errors);

public sealed record ErrorEntry(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("detail")] ErrorDetail? Detail);

public sealed record ErrorDetail([property: JsonPropertyName("digest")] string? Digest);

public sealed record TagList([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("tags")] List<string> Tags);

public sealed record Catalog([property: JsonPropertyName("repositories")] List<string> Repositories);

public sealed record TokenResponse(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("issued_at")] string IssuedAt);

/// <summary>Source-generated JSON for the registry's responses.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(TagList))]
[JsonSerializable(typeof(Catalog))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(ImageIndex))]
public sealed partial class RegistryJson : JsonSerializerContext;
