using System.Text.Json.Serialization;

namespace Berth.Engine.Distribution;

/// <summary>A token server's answer (docker's token auth spec: <c>token</c>, or OAuth2's <c>access_token</c>).</summary>
public sealed record TokenResponse
{
    [JsonPropertyName("token")] public string? Token { get; init; }
    [JsonPropertyName("access_token")] public string? AccessToken { get; init; }
    [JsonPropertyName("expires_in")] public int? ExpiresIn { get; init; }
    [JsonPropertyName("issued_at")] public string? IssuedAt { get; init; }
}

/// <summary>The distribution spec's error body: <c>{"errors": [{"code", "message", "detail"}]}</c>.</summary>
public sealed record ErrorResponse
{
    [JsonPropertyName("errors")] public List<RegistryError>? Errors { get; init; }
}

public sealed record RegistryError
{
    [JsonPropertyName("code")] public string? Code { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
}

/// <summary>GET /v2/&lt;name&gt;/tags/list.</summary>
public sealed record TagList
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("tags")] public List<string>? Tags { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(TagList))]
public sealed partial class DistributionJson : JsonSerializerContext;
