using System.Security.Cryptography;
using System.Text;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Cache;

/// <summary>
/// The cache key of a step: sha256 over the parent state, the step's definition text and the
/// checksum of the inputs it reads (copied files, another stage's result). Each part is length
/// prefixed, so no two different triples hash the same text.
/// </summary>
public static class CacheKeys
{
    public static string Step(Digest parentState, string definition, string? inputs)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Part(h, "berth-build-cache-v1");
        Part(h, parentState.ToString());
        Part(h, definition);
        Part(h, inputs ?? "");
        return "sha256:" + Convert.ToHexStringLower(h.GetHashAndReset());
    }

    private static void Part(IncrementalHash h, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(length, bytes.Length);
        h.AppendData(length);
        h.AppendData(bytes);
    }
}
