using System.Text;
using Berth.Engine.Build.Context;
using Berth.Engine.Build.Execution.Sources;
using Berth.Engine.Layers;

namespace Berth.Engine.Build.Execution.Copy;

/// <summary>
/// Where one match goes: <see cref="Target"/> is the file's path in the image, or for a
/// directory (or an archive ADD unpacks) the directory its contents go into; the directory itself
/// is written as an entry only when it does not exist yet (<see cref="CreateTarget"/>).
/// </summary>
public sealed record CopyTarget(CopyMatch Match, string Target, bool CreateTarget, bool Extract);

/// <summary>Owner and mode of what a COPY writes: <c>--chown</c> (null keeps the source's owner) and <c>--chmod</c>.</summary>
public sealed record CopyAttributes(uint? Uid, uint? Gid, int? Mode);

/// <summary>One match of one source tree, where it goes and with which owner and mode.</summary>
public sealed record CopyItem(ISourceTree Tree, IgnoreMatcher Ignore, CopyTarget Target, CopyAttributes Attributes);

/// <summary>
/// Writes what a COPY or ADD brings as one tar stream, every entry named by its path in the
/// image: the step applies it onto its root filesystem with the layer applier, which resolves every
/// name inside that root. Local archives an ADD unpacks are streamed through with their names
/// moved under the target directory.
/// </summary>
public static class CopyArchive
{
    public static void Write(Stream output, IReadOnlyList<CopyItem> items, IgnoreMatcher excludes)
    {
        using var writer = new LayerTarWriter(output);
        var entry = new TarEntry();
        var links = new Dictionary<(ulong, ulong), string>();
        foreach (var (tree, ignore, t, attributes) in items)
        {
            var target = TreePaths.Clean(t.Target);
            if (t.Extract)
            {
                if (t.CreateTarget && target.Length > 0) WriteEntry(writer, entry, tree, target, t.Match.Resolved, DirectoryStat(t.Match.Stat), attributes, links);
                using var archive = tree.OpenRead(t.Match.Resolved);
                Extract(writer, archive, target);
                continue;
            }
            CopyWalk.Walk(tree, t.Match, ignore, excludes, (rel, path, st) =>
            {
                if (rel.Length == 0 && st.IsDirectory && (!t.CreateTarget || target.Length == 0)) return;
                WriteEntry(writer, entry, tree, TreePaths.Join(target, rel), path, st, attributes, links);
            });
        }
        writer.Finish();
    }

    private static SourceStat DirectoryStat(SourceStat archive) =>
        new(SourceKind.Directory, 0x1ED, 0, 0, 0, archive.MtimeSeconds);

    private static void WriteEntry(LayerTarWriter writer, TarEntry e, ISourceTree tree, string name, string path, SourceStat st,
        CopyAttributes attributes, Dictionary<(ulong, ulong), string> links)
    {
        if (st.Kind == SourceKind.Socket) return;
        e.Reset();
        e.SetName(st.IsDirectory ? name + "/" : name);
        e.Uid = attributes.Uid ?? st.Uid;
        e.Gid = attributes.Gid ?? st.Gid;
        e.Mode = st.Kind == SourceKind.Symlink ? 0x1FF : attributes.Mode ?? st.Mode;
        e.MtimeSeconds = st.MtimeSeconds;
        if (st.Kind == SourceKind.File && st.Links > 1 && st.Identity != default)
        {
            if (links.TryGetValue(st.Identity, out var first))
            {
                e.Type = TarEntryType.HardLink;
                e.SetLinkName(first);
                writer.WriteHeader(e);
                return;
            }
            links[st.Identity] = name;
        }
        switch (st.Kind)
        {
            case SourceKind.Directory:
                e.Type = TarEntryType.Directory;
                writer.WriteHeader(e);
                return;
            case SourceKind.Symlink:
                e.Type = TarEntryType.Symlink;
                e.SetLinkName(tree.ReadLink(path));
                writer.WriteHeader(e);
                return;
            case SourceKind.CharDevice or SourceKind.BlockDevice or SourceKind.Fifo:
                e.Type = st.Kind switch { SourceKind.CharDevice => TarEntryType.CharDevice, SourceKind.BlockDevice => TarEntryType.BlockDevice, _ => TarEntryType.Fifo };
                e.DevMajor = st.DevMajor;
                e.DevMinor = st.DevMinor;
                writer.WriteHeader(e);
                return;
        }
        e.Type = TarEntryType.Regular;
        e.Size = st.Size;
        using var input = tree.OpenRead(path);
        writer.WriteHeader(e);
        while (writer.DataRemaining > 0)
        {
            int n = input.Read(writer.DataSpace());
            if (n <= 0) throw new BerthException($"{path} in the {tree.Description} changed while it was copied (it shrank)");
            writer.AdvanceData(n);
        }
    }

    /// <summary>Whether a file is an archive ADD unpacks: a (gzip or zstd compressed) tar.</summary>
    public static bool IsArchive(ISourceTree tree, CopyMatch match)
    {
        if (match.Stat.Kind != SourceKind.File || match.Stat.Size < 18) return false;
        using var raw = tree.OpenRead(match.Resolved);
        try
        {
            using var s = LayerCompression.OpenDecompressed(raw, out _);
            var head = new byte[512];
            if (s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length) return false;
            return head.AsSpan(257, 5).SequenceEqual("ustar"u8) && ChecksumOk(head);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BerthException)
        {
            return false;
        }
    }

    private static bool ChecksumOk(ReadOnlySpan<byte> header)
    {
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? (byte)' ' : header[i];
        var field = Encoding.ASCII.GetString(header.Slice(148, 8)).Trim(' ', '\0');
        try { return Convert.ToInt64(field, 8) == sum; }
        catch (FormatException) { return false; }
        catch (ArgumentException) { return false; }
    }

    private static void Extract(LayerTarWriter writer, Stream archive, string target)
    {
        using var decompressed = LayerCompression.OpenDecompressed(archive, out _);
        using var reader = new LayerTarReader(decompressed);
        var prefix = target.Length == 0 ? "" : target + "/";
        while (reader.MoveNext())
        {
            var e = reader.Current;
            var name = TreePaths.Clean(e.DisplayName);
            if (name.Length == 0) continue;
            e.SetName(prefix + name + (e.Type == TarEntryType.Directory ? "/" : ""));
            if (e.Type == TarEntryType.HardLink) e.SetLinkName(prefix + TreePaths.Clean(e.DisplayLinkName));
            writer.WriteHeader(e);
            if (e.Type != TarEntryType.Regular) continue;
            while (true)
            {
                var chunk = reader.ReadDataChunk();
                if (chunk.IsEmpty) break;
                writer.WriteData(chunk);
            }
        }
    }
}
