using System.Formats.Tar;

namespace Berth.Engine.Images.Archives;

/// <summary>A file in an image archive: its path inside the archive and a way to read it once.</summary>
internal sealed record ArchiveFile(string Path, long Size, Stream Data);

/// <summary>
/// The files of an image archive in the order they come: a tar stream (read once, never extracted to
/// disk) or an OCI layout directory. Symbolic and hard links (docker save links shared layers) are
/// reported as aliases.
/// </summary>
internal static class ArchiveEntries
{
    public static IEnumerable<(ArchiveFile? File, (string Path, string Target)? Alias)> FromTar(Stream tar, string source)
    {
        var reader = new TarReader(tar, leaveOpen: true);
        while (true)
        {
            TarEntry? e;
            try { e = reader.GetNextEntry(); }
            catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
            {
                throw new BerthException($"{source}: not a valid tar archive ({ex.Message})");
            }
            if (e is null) yield break;
            var path = Clean(e.Name);
            switch (e.EntryType)
            {
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    yield return (new ArchiveFile(path, e.Length, e.DataStream ?? Stream.Null), null);
                    break;
                case TarEntryType.SymbolicLink:
                    var dir = System.IO.Path.GetDirectoryName(path) ?? "";
                    yield return (null, (path, Clean(System.IO.Path.Combine(dir, e.LinkName))));
                    break;
                case TarEntryType.HardLink:
                    yield return (null, (path, Clean(e.LinkName)));
                    break;
            }
        }
    }

    public static IEnumerable<(ArchiveFile? File, (string Path, string Target)? Alias)> FromDirectory(string dir)
    {
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            var rel = System.IO.Path.GetRelativePath(dir, f);
            using var s = File.OpenRead(f);
            yield return (new ArchiveFile(Clean(rel), s.Length, s), null);
        }
    }

    /// <summary>Normalises <c>./a/../b</c> to <c>b</c>; archive paths are only ever names, never followed.</summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var p in path.Replace('\\', '/').Split('/'))
        {
            if (p is "" or ".") continue;
            if (p == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(p);
        }
        return string.Join('/', parts);
    }
}
