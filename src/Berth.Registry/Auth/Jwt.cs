using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Berth.Registry.Auth;

/// <summary>The claims of a registry bearer token that Berth reads and writes.</summary>
public sealed record TokenClaims(string Issuer, string? Subject, IReadOnlyList<string> Audience, DateTimeOffset NotBefore, DateTimeOffset Expires, IReadOnlyList<Access> Access);

/// <summary>
/// Compact JWS tokens (<c>header.claims.signature</c>) in the shape docker's token auth uses:
/// an <c>access</c> claim listing <c>{type, name, actions}</c>. Signed and checked with
/// <see cref="TokenKey"/>; the header's algorithm must be the key's (never <c>none</c>).
/// </summary>
public static class Jwt
{
    public static string Sign(TokenKey key, TokenClaims claims)
    {
        var header = Json(w =>
        {
            w.WriteString("typ", "JWT");
            w.WriteString("alg", key.Algorithm);
        });
        var payload = Json(w =>
        {
            w.WriteString("iss", claims.Issuer);
            if (claims.Subject is not null) w.WriteString("sub", claims.Subject);
            if (claims.Audience.Count == 1) w.WriteString("aud", claims.Audience[0]);
            else
            {
                w.WriteStartArray("aud");
                foreach (var a in claims.Audience) w.WriteStringValue(a);
                w.WriteEndArray();
            }
            w.WriteNumber("nbf", claims.NotBefore.ToUnixTimeSeconds());
            w.WriteNumber("iat", claims.NotBefore.ToUnixTimeSeconds());
            w.WriteNumber("exp", claims.Expires.ToUnixTimeSeconds());
            w.WriteString("jti", Guid.NewGuid().ToString("N"));
            w.WriteStartArray("access");
            foreach (var g in claims.Access.GroupBy(a => (a.Type, a.Name)))
            {
                w.WriteStartObject();
                w.WriteString("type", g.Key.Type);
                w.WriteString("name", g.Key.Name);
                w.WriteStartArray("actions");
                foreach (var a in g.Select(x => x.Action).Distinct()) w.WriteStringValue(a);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
        var signature = key.Sign(Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Checks signature and algorithm and reads the claims; null when the token is not valid.</summary>
    public static TokenClaims? Verify(TokenKey key, string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            using (var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])))
            {
                if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() != key.Algorithm) return null;
            }
            var signature = Base64Url.DecodeFromChars(parts[2]);
            if (!key.Verify(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature)) return null;
            using var doc = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var root = doc.RootElement;
            var audience = new List<string>();
            if (root.TryGetProperty("aud", out var aud))
            {
                if (aud.ValueKind == JsonValueKind.String) audience.Add(aud.GetString()!);
                else if (aud.ValueKind == JsonValueKind.Array) audience.AddRange(aud.EnumerateArray().Select(a => a.GetString() ?? ""));
            }
            var access = new List<Access>();
            if (root.TryGetProperty("access", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var item in list.EnumerateArray())
                {
                    var type = item.GetProperty("type").GetString() ?? "";
                    var name = item.GetProperty("name").GetString() ?? "";
                    if (item.TryGetProperty("actions", out var actions) && actions.ValueKind == JsonValueKind.Array)
                        foreach (var a in actions.EnumerateArray()) access.Add(new Access(type, name, a.GetString() ?? ""));
                }
            return new TokenClaims(
                root.TryGetProperty("iss", out var iss) ? iss.GetString() ?? "" : "",
                root.TryGetProperty("sub", out var sub) ? sub.GetString() : null,
                audience,
                root.TryGetProperty("nbf", out var nbf) ? DateTimeOffset.FromUnixTimeSeconds(nbf.GetInt64()) : DateTimeOffset.MinValue,
                root.TryGetProperty("exp", out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) : DateTimeOffset.MinValue,
                access);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            return null;
        }
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return ms.ToArray();
    }
}
