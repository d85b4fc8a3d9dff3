using System.Text;
using Berth.Engine.Layers;

namespace Berth.Engine.Build.Execution.Run;

/// <summary>
/// The mount points a RUN's container needs on its root filesystem (/proc, /dev, /sys,
/// /etc/resolv.conf...) that the image lacks: the runtime creates them in the step's upper
/// directory, and they are no change of the step's. Docker hides them in an init layer; BuildKit
/// removes them after the run; so does this: what was missing before and is still an empty
/// directory or file afterwards goes, with parent directories left empty by that.
/// </summary>
internal sealed class MountStubs
{
    private readonly List<string> _missing;

    private MountStubs(List<string> missing) => _missing = missing;

    /// <summary>
    /// Finds which of <paramref name="destinations"/> (absolute, in mount order) do not exist in
    /// <paramref name="lowerDirs"/> (overlay layers, top first). A destination below an earlier one
    /// is inside that mount, not on the root filesystem.
    /// </summary>
    public static MountStubs Plan(IReadOnlyList<string> lowerDirs, IEnumerable<string> destinations)
    {
        var seen = new List<string>();
        var missing = new List<string>();
        foreach (var d in destinations)
        {
            var rel = d.Trim('/');
            if (rel.Length == 0) continue;
            bool inside = seen.Any(s => rel.StartsWith(s + "/", StringComparison.Ordinal));
            seen.Add(rel);
            if (inside || Exists(lowerDirs, rel)) continue;
            missing.Add(rel);
        }
        return new MountStubs(missing);
    }

    /// <summary>Removes the stubs (and parents they alone kept) from the step's upper directory.</summary>
    public void Remove(string upperDir)
    {
        foreach (var rel in _missing.OrderByDescending(p => p.Length))
        {
            var path = Path.Combine(upperDir, rel);
            if (Lstat(path) is not { } st) continue;
            bool removed = st.IsDir ? IsEmptyPlainDir(path) && Rmdir(path)
                : st.Type == Posix.S_IFREG && st.Size == 0 && Unlink(path);
            if (!removed) continue;
            for (var parent = Path.GetDirectoryName(rel); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
            {
                var p = Path.Combine(upperDir, parent);
                if (!IsEmptyPlainDir(p) || !Rmdir(p)) break;
            }
        }
    }

    /// <summary>Whether <paramref name="rel"/> exists in the merged view of the layers (whiteouts and opaque directories honoured).</summary>
    internal static bool Exists(IReadOnlyList<string> layers, string rel)
    {
        var parts = rel.Split('/');
        foreach (var layer in layers)
        {
            var current = layer;
            bool opaqueAbove = false;
            for (int i = 0; i < parts.Length; i++)
            {
                current = Path.Combine(current, parts[i]);
                if (Lstat(current) is not { } st) break;
                if (st.Type == Posix.S_IFCHR && st.RdevMajor == 0 && st.RdevMinor == 0) return false; // whiteout
                if (i == parts.Length - 1 || st.Type == Posix.S_IFLNK) return true; // a symlink on the way: assume it leads somewhere
                if (!st.IsDir) return false;
                if (IsOpaque(current)) opaqueAbove = true;
            }
            if (opaqueAbove) return false;
        }
        return false;
    }

    private static Posix.Statx? Lstat(string path) =>
        Posix.StatAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(path), out var st) == 0 ? st : null;

    private static bool IsOpaque(string dir)
    {
        int fd = Posix.OpenAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(dir), Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_NOFOLLOW);
        if (fd < 0) return false;
        try { return Posix.GetXattrAt(fd, default, "trusted.overlay.opaque") is [(byte)'y']; }
        finally { Posix.Close(fd); }
    }

    private static bool IsEmptyPlainDir(string dir) =>
        Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any() && !IsOpaque(dir);

    private static bool Rmdir(string path) => Posix.UnlinkAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(path), Posix.AT_REMOVEDIR) == 0;

    private static bool Unlink(string path) => Posix.UnlinkAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(path), 0) == 0;
}
