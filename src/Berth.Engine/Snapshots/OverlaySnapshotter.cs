using Berth.Engine.Metadata;
using Berth.Engine.Util;

namespace Berth.Engine.Snapshots;

/// <summary>
/// Snapshots as overlayfs layers: each snapshot is <c>snapshots/&lt;id&gt;/fs</c> (its own changes)
/// plus <c>work</c>; an active snapshot mounts as an overlay of its parents' <c>fs</c> directories.
/// Keys and parent links live in the metadata database; numeric ids keep mount options short.
/// </summary>
public sealed class OverlaySnapshotter : ISnapshotter
{
    private readonly MetadataDb _db;
    private readonly string _dir;
    private readonly SpareDirectories _spares;

    public OverlaySnapshotter(MetadataDb db, string dir)
    {
        _db = db;
        _dir = dir;
        _spares = new SpareDirectories(dir);
        SpreadDirectories.Mark(dir);
    }

    private sealed record Row(long Id, string Key, long? ParentId, SnapshotKind Kind, long Created, long? Size);

    private Row? Find(string key) =>
        _db.Query("SELECT id, key, parent_id, kind, created, size FROM snapshots WHERE key=$k", Map, ("$k", key)).FirstOrDefault();

    private static Row Map(SqlReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), (SnapshotKind)r.GetInt32(3), r.GetInt64(4), r.IsDBNull(5) ? null : r.GetInt64(5));

    private Row Get(string key) => Find(key) ?? throw new NotFoundException($"snapshot {key} does not exist");

    private string DirOf(long id) => Path.Combine(_dir, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    private string FsOf(long id) => Path.Combine(DirOf(id), "fs");

    public IReadOnlyList<Mount> Prepare(string key, string? parent) => Create(key, parent, SnapshotKind.Active);

    public IReadOnlyList<Mount> View(string key, string parent) => Create(key, parent, SnapshotKind.View);

    private IReadOnlyList<Mount> Create(string key, string? parent, SnapshotKind kind)
    {
        long id = _db.InTransaction(() =>
        {
            long? parentId = null;
            if (parent is not null)
            {
                var p = Find(parent) ?? throw new NotFoundException($"parent snapshot {parent} does not exist");
                if (p.Kind != SnapshotKind.Committed) throw new BerthException($"parent snapshot {parent} is not committed", BerthException.EngineError);
                parentId = p.Id;
            }
            if (Find(key) is not null) throw new BerthException($"snapshot {key} already exists", BerthException.EngineError);
            _db.Execute("INSERT INTO snapshots(key, parent_id, kind, created) VALUES($k, $p, $kind, $c)",
                ("$k", key), ("$p", parentId), ("$kind", (int)kind), ("$c", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            long newId = (long)_db.Scalar("SELECT last_insert_rowid()")!;
            var dir = DirOf(newId);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); // left by a crash before a commit
            if (kind == SnapshotKind.Active && _spares.TryTake(dir)) return newId;
            Directory.CreateDirectory(Path.Combine(dir, "fs"));
            if (kind == SnapshotKind.Active) Directory.CreateDirectory(Path.Combine(dir, "work"));
            return newId;
        });
        return MountsOf(Get(key));
    }

    public IReadOnlyList<Mount> Mounts(string key) => MountsOf(Get(key));

    private IReadOnlyList<Mount> MountsOf(Row row)
    {
        var lowers = ParentFsDirs(row);
        if (row.Kind == SnapshotKind.Active)
        {
            if (lowers.Count == 0) return [new Mount("bind", FsOf(row.Id), ["rbind", "rw"])];
            return [new Mount("overlay", "overlay",
                ["index=off", "lowerdir=" + string.Join(':', lowers), "upperdir=" + FsOf(row.Id), "workdir=" + Path.Combine(DirOf(row.Id), "work")])];
        }
        // A view (or a committed snapshot) shows its parents read-only; a committed one shows itself too.
        if (row.Kind == SnapshotKind.Committed) lowers = [FsOf(row.Id), .. lowers];
        if (lowers.Count == 0) return [new Mount("bind", FsOf(row.Id), ["rbind", "ro"])];
        if (lowers.Count == 1) return [new Mount("bind", lowers[0], ["rbind", "ro"])];
        return [new Mount("overlay", "overlay", ["index=off", "ro", "lowerdir=" + string.Join(':', lowers)])];
    }

    private List<string> ParentFsDirs(Row row)
    {
        if (row.ParentId is null) return [];
        return _db.Query("""
            WITH RECURSIVE chain(id, parent_id, depth) AS (
                SELECT id, parent_id, 0 FROM snapshots WHERE id=$p
                UNION ALL SELECT s.id, s.parent_id, chain.depth + 1 FROM snapshots s JOIN chain ON s.id = chain.parent_id)
            SELECT id FROM chain ORDER BY depth
            """, r => FsOf(r.GetInt64(0)), ("$p", row.ParentId));
    }

    public bool Commit(string name, string key, long? size = null) => _db.InTransaction(() =>
    {
        var row = Get(key);
        if (row.Kind != SnapshotKind.Active) throw new BerthException($"snapshot {key} is not active", BerthException.EngineError);
        if (Find(name) is not null) return false;
        size ??= DirectoryUsage.Measure(FsOf(row.Id)).Size;
        _db.Execute("UPDATE snapshots SET key=$n, kind=$kind, size=$s WHERE id=$id",
            ("$n", name), ("$kind", (int)SnapshotKind.Committed), ("$s", size), ("$id", row.Id));
        var work = Path.Combine(DirOf(row.Id), "work");
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        return true;
    });

    /// <summary>Deletes the row and moves the directory out of sight in one transaction (so a new snapshot
    /// given the same id never meets it), then deletes the directory, or keeps an unused writable layer
    /// as a spare for the next <see cref="Prepare"/>.</summary>
    public void Remove(string key)
    {
        string? dir = null, moved = null;
        bool kept = false;
        try
        {
            _db.InTransaction(() =>
            {
                var row = Get(key);
                if (_db.Scalar("SELECT 1 FROM snapshots WHERE parent_id=$id LIMIT 1", ("$id", row.Id)) is not null)
                    throw new BerthException($"snapshot {key} has children and cannot be removed", BerthException.EngineError);
                _db.Execute("DELETE FROM snapshots WHERE id=$id", ("$id", row.Id));
                dir = DirOf(row.Id);
                if (!Directory.Exists(dir)) return;
                if (row.Kind == SnapshotKind.Active && _spares.TryKeep(dir) is { } spare)
                {
                    (moved, kept) = (spare, true);
                    return;
                }
                moved = Path.Combine(_dir, $".trash-{row.Id}-{Guid.NewGuid():N}");
                Directory.Move(dir, moved);
            });
        }
        catch when (moved is not null && dir is not null)
        {
            Directory.Move(moved, dir); // the row is still there: so is its directory
            throw;
        }
        if (moved is not null && !kept) DirectoryUsage.DeleteTree(moved);
    }

    public SnapshotInfo? Stat(string key) => Find(key) is { } row ? Info(row) : null;

    private SnapshotInfo Info(Row row)
    {
        string? parent = row.ParentId is { } p ? (string?)_db.Scalar("SELECT key FROM snapshots WHERE id=$p", ("$p", p)) : null;
        return new SnapshotInfo(row.Key, parent, row.Kind, DateTimeOffset.FromUnixTimeMilliseconds(row.Created), row.Size);
    }

    public SnapshotUsage Usage(string key)
    {
        var row = Get(key);
        if (row.Kind == SnapshotKind.Committed && row.Size is { } s) return new SnapshotUsage(s, 0);
        return DirectoryUsage.Measure(FsOf(row.Id));
    }

    public IReadOnlyList<SnapshotInfo> Walk() =>
        _db.Query("""
            SELECT s.key, p.key, s.kind, s.created, s.size FROM snapshots s LEFT JOIN snapshots p ON p.id = s.parent_id ORDER BY s.id
            """,
            r => new SnapshotInfo(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), (SnapshotKind)r.GetInt32(2),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)), r.IsDBNull(4) ? null : r.GetInt64(4)));

    public string ChangesDir(string key) => FsOf(Get(key).Id);

    public IReadOnlyList<string> LowerDirs(string key) => ParentFsDirs(Get(key));

    /// <summary>Removes directories that no snapshot row owns (left by a crash between mkdir and commit).</summary>
    public int CleanOrphans()
    {
        var known = _db.Query("SELECT id FROM snapshots", r => r.GetInt64(0)).ToHashSet();
        int removed = 0;
        foreach (var d in Directory.EnumerateDirectories(_dir))
        {
            var name = Path.GetFileName(d);
            if (name.StartsWith(".trash-", StringComparison.Ordinal) || (long.TryParse(name, out var id) && !known.Contains(id)))
            {
                DirectoryUsage.DeleteTree(d);
                removed++;
            }
        }
        return removed;
    }
}
