namespace Berth.Engine.Layers;

/// <summary>Archive member names made safe: relative, without "." or "..", never above the root.</summary>
internal static class TarPath
{
    /// <summary>
    /// Cleans <paramref name="name"/> into <paramref name="buffer"/> ("./a//b/../c/" becomes "a/c";
    /// the root itself is the empty path). Returns null, or why the name is refused.
    /// </summary>
    public static string? Clean(ReadOnlySpan<byte> name, ref byte[] buffer, out int length) =>
        Clean(name, ref buffer, out length, chroot: false);

    /// <summary>
    /// With <paramref name="chroot"/>, resolves like a path inside a chroot: a leading "/" and ".."
    /// at the top stay at the root instead of being refused (for symlink targets).
    /// </summary>
    public static string? Clean(ReadOnlySpan<byte> name, ref byte[] buffer, out int length, bool chroot)
    {
        length = 0;
        if (!chroot && name.Length > 0 && name[0] == '/') return "absolute path (layer entries must be relative)";
        if (buffer.Length < name.Length) buffer = new byte[Math.Max(name.Length, buffer.Length * 2)];
        var output = buffer.AsSpan();
        int i = 0;
        while (i < name.Length)
        {
            int end = name[i..].IndexOf((byte)'/');
            end = end < 0 ? name.Length : i + end;
            var part = name[i..end];
            i = end + 1;
            if (part.IsEmpty || part.SequenceEqual("."u8)) continue;
            if (part.SequenceEqual(".."u8))
            {
                if (length == 0)
                {
                    if (chroot) continue;
                    return "path escapes the root (..)";
                }
                int slash = output[..length].LastIndexOf((byte)'/');
                length = slash < 0 ? 0 : slash;
                continue;
            }
            if (length > 0) output[length++] = (byte)'/';
            part.CopyTo(output[length..]);
            length += part.Length;
        }
        return null;
    }

    /// <summary>Splits a clean path into its parent directory ("" for the root) and last name.</summary>
    public static void Split(ReadOnlySpan<byte> path, out ReadOnlySpan<byte> parent, out ReadOnlySpan<byte> leaf)
    {
        int slash = path.LastIndexOf((byte)'/');
        parent = slash < 0 ? default : path[..slash];
        leaf = path[(slash + 1)..];
    }
}
