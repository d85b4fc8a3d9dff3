using Berth.Engine.Build.Execution.Sources;
using Berth.Engine.Metadata;

namespace Berth.Engine.Build.Cache;

/// <summary>
/// Content digests of large context files, remembered by what lstat says of them (device, inode,
/// size, mtime and ctime in nanoseconds), as git's index does: a file written or chmod-ed since has
/// a new ctime and is read again; a touched one is read again and gives the same digest. Entries
/// younger than <see cref="RacyWindow"/> are not kept (a write in the same clock tick could go
/// unseen). Small files are always read: their digest costs less than the lookup.
/// </summary>
public sealed class FileSums(MetadataDb db, object dbLock)
{
    public const long MinSize = 64 * 1024;
    public static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    private readonly List<(string Path, SourceStat Stat, byte[] Sum)> _new = [];

    /// <summary>The remembered digest of <paramref name="path"/> in <paramref name="tree"/>, or null.</summary>
    public byte[]? Find(ISourceTree tree, string path, SourceStat st)
    {
        if (!Applies(tree, path, st, out var full)) return null;
        lock (dbLock)
            return db.Query("SELECT sha256 FROM build_file_sums WHERE path=$p AND dev=$d AND ino=$i AND size=$s AND mtime=$m AND ctime=$c",
                r => (byte[])r.GetValue(0),
                ("$p", full), ("$d", (long)st.Identity.Dev), ("$i", (long)st.Identity.Ino), ("$s", st.Size), ("$m", st.MtimeNs), ("$c", st.CtimeNs)).FirstOrDefault();
    }

    /// <summary>Remembers a digest just computed (written by <see cref="Flush"/>).</summary>
    public void Add(ISourceTree tree, string path, SourceStat st, byte[] sum)
    {
        if (!Applies(tree, path, st, out var full)) return;
        long now = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        if (now - st.CtimeNs < RacyWindow.Ticks * 100 || now - st.MtimeNs < RacyWindow.Ticks * 100) return;
        lock (_new) _new.Add((full, st, sum));
    }

    /// <summary>Writes the digests added since the last flush, in one transaction.</summary>
    public void Flush()
    {
        List<(string Path, SourceStat Stat, byte[] Sum)> rows;
        lock (_new)
        {
            if (_new.Count == 0) return;
            rows = [.. _new];
            _new.Clear();
        }
        lock (dbLock)
            db.InTransaction(() =>
            {
                foreach (var (path, st, sum) in rows)
                    db.Execute("""
                        INSERT INTO build_file_sums(path, dev, ino, size, mtime, ctime, sha256) VALUES($p, $d, $i, $s, $m, $c, $h)
                        ON CONFLICT(path) DO UPDATE SET dev=$d, ino=$i, size=$s, mtime=$m, ctime=$c, sha256=$h
                        """,
                        ("$p", path), ("$d", (long)st.Identity.Dev), ("$i", (long)st.Identity.Ino), ("$s", st.Size),
                        ("$m", st.MtimeNs), ("$c", st.CtimeNs), ("$h", sum));
            });
    }

    /// <summary>Forgets every remembered digest (<c>builder prune</c>).</summary>
    public void Clear()
    {
        lock (dbLock) db.Execute("DELETE FROM build_file_sums");
    }

    private static bool Applies(ISourceTree tree, string path, SourceStat st, out string full)
    {
        full = "";
        if (tree is not DirectoryTree dir || st.Kind != SourceKind.File || st.Size < MinSize || st.CtimeNs == 0) return false;
        full = Path.Combine(dir.Root, path);
        return true;
    }
}
