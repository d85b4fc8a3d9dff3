using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Containers;

/// <summary>
/// Reads a file from a stack of overlay layer directories (top first) without mounting them: the
/// first layer holding the path wins, a whiteout (a 0/0 character device) hides it.
/// </summary>
public static class LayeredFiles
{
    public static string? ReadText(IReadOnlyList<string> layersTopFirst, string path, long maxBytes = 1 << 20, int depth = 0)
    {
        var rel = path.TrimStart('/');
        foreach (var layer in layersTopFirst)
        {
            var full = Path.Combine(layer, rel);
            if (FileStat.Lstat(full) is not { } st) continue;
            if (st.IsWhiteout || st.IsDirectory) return null;
            if (st.IsSymlink)
            {
                // A symlink inside the image: resolve it within the layers.
                var link = new FileInfo(full).LinkTarget;
                if (link is null || depth > 8) return null;
                var target = link.StartsWith('/') ? link : "/" + Path.Combine(Path.GetDirectoryName(rel) ?? "", link);
                return ReadText(layersTopFirst, Path.GetFullPath(target), maxBytes, depth + 1);
            }
            return st.IsRegular && st.Size <= maxBytes ? Fds.ReadText(full) : null;
        }
        return null;
    }
}
