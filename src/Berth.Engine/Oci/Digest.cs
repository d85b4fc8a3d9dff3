using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Engine.Oci;

/// <summary>
/// A content digest, <c>algorithm:hex</c>, as the OCI image spec defines it. sha256 and sha512 are
/// registered; other well-formed algorithms parse but cannot be verified.
/// </summary>
[JsonConverter(typeof(DigestJsonConverter))]
public readonly record struct Digest
{
    public string Algorithm { get; }
    public string Hex { get; }

    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public static Digest Sha256(string hex) => Parse("sha256:" + hex);

    public bool IsEmpty => Algorithm is null;

    /// <summary>The first 12 hex characters, as docker shows image IDs.</summary>
    public string Short => Hex.Length > 12 ? Hex[..12] : Hex;

    public override string ToString() => IsEmpty ? "" : Algorithm + ":" + Hex;

    public static Digest Parse(string text) =>
        TryParse(text, out var d, out var error) ? d : throw new BerthException($"invalid digest \"{text}\": {error}");

    public static bool TryParse(string? text, out Digest digest) => TryParse(text, out digest, out _);

    public static bool TryParse(string? text, out Digest digest, [NotNullWhen(false)] out string? error)
    {
        digest = default;
        if (string.IsNullOrEmpty(text)) { error = "empty"; return false; }
        int colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) { error = "expected algorithm:hex"; return false; }
        var alg = text[..colon];
        var hex = text[(colon + 1)..];
        // algorithm-component ::= [a-z0-9]+, separated by [+._-]
        foreach (var c in alg)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '+' or '.' or '_' or '-'))
            { error = $"invalid algorithm \"{alg}\""; return false; }
        }
        int want = alg switch { "sha256" => 64, "sha512" => 128, _ => -1 };
        if (want > 0)
        {
            if (hex.Length != want) { error = $"{alg} needs {want} hex characters, got {hex.Length}"; return false; }
            foreach (var c in hex)
                if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f')) { error = "hex must be lowercase [0-9a-f]"; return false; }
        }
        else
        {
            foreach (var c in hex)
                if (!(c is >= '0' and <= '9' or >= 'a' and <= 'z' or >= 'A' and <= 'Z' or '=' or '_' or '-'))
                { error = "invalid encoded part"; return false; }
        }
        digest = new Digest(alg, hex);
        error = null;
        return true;
    }

    /// <summary>
    /// Splits a digest this program validated before it stored it (metadata rows): no re-validation.
    /// Never use it on input from outside.
    /// </summary>
    internal static Digest FromStored(string text)
    {
        int colon = text.IndexOf(':');
        if (colon <= 0) return Parse(text);
        var algorithm = colon == 6 && text.StartsWith("sha256", StringComparison.Ordinal) ? "sha256" : text[..colon];
        return new Digest(algorithm, text[(colon + 1)..]);
    }

    public bool IsSupported => Algorithm is "sha256" or "sha512";

    public static Digest Compute(ReadOnlySpan<byte> data) => FromHash("sha256", SHA256.HashData(data));

    public static Digest Compute(Stream data) => FromHash("sha256", SHA256.HashData(data));

    public static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash) =>
        new(algorithm, Convert.ToHexStringLower(hash));

    /// <summary>An incremental hasher for this digest's algorithm.</summary>
    public IncrementalHash CreateHasher() => Algorithm switch
    {
        "sha256" => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        "sha512" => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        _ => throw new BerthException($"unsupported digest algorithm \"{Algorithm}\""),
    };

    public bool Matches(ReadOnlySpan<byte> data) => Algorithm switch
    {
        "sha256" => Convert.ToHexStringLower(SHA256.HashData(data)) == Hex,
        "sha512" => Convert.ToHexStringLower(SHA512.HashData(data)) == Hex,
        _ => throw new BerthException($"unsupported digest algorithm \"{Algorithm}\""),
    };
}

public sealed class DigestJsonConverter : JsonConverter<Digest>
{
    public override Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var s = reader.GetString();
        if (!Digest.TryParse(s, out var d, out var error)) throw new JsonException($"invalid digest \"{s}\": {error}");
        return d;
    }

    public override void Write(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
