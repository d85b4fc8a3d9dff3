using Berth.Engine.Oci;

namespace Berth.Registry.Storage;

/// <summary>The spec's grammar for repository names, tags and references.</summary>
public static class Names
{
    /// <summary>Longest repository name accepted (distribution's limit, so host + name fits docker's 255).</summary>
    public const int MaxNameLength = 255;

    public static bool IsValidRepository(string name) =>
        name.Length <= MaxNameLength && ImageReference.IsValidPath(name);

    public static bool IsValidTag(string tag) => ImageReference.IsValidTag(tag);

    public static string CheckRepository(string name) =>
        IsValidRepository(name) ? name : throw new RegistryException(RegistryError.NameInvalid, $"invalid repository name \"{Truncate(name)}\"");

    /// <summary>Parses a digest that must be usable here (sha256 or sha512).</summary>
    public static Digest CheckDigest(string? text)
    {
        if (!Digest.TryParse(text, out var d, out var error))
            throw new RegistryException(RegistryError.DigestInvalid, $"invalid digest \"{Truncate(text ?? "")}\": {error}");
        if (!d.IsSupported)
            throw new RegistryException(RegistryError.DigestInvalid, $"unsupported digest algorithm \"{Truncate(d.Algorithm)}\": use sha256 or sha512");
        return d;
    }

    public static string Truncate(string s) => s.Length > 80 ? s[..80] + "..." : s;
}
