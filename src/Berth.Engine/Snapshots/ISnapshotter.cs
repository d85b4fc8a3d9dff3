namespace Berth.Engine.Snapshots;

public enum SnapshotKind { View = 1, Active = 2, Committed = 3 }

public sealed record SnapshotInfo(string Key, string? Parent, SnapshotKind Kind, DateTimeOffset Created, long? Size);

public sealed record SnapshotUsage(long Size, long Inodes);

/// <summary>
/// containerd's snapshot verbs. A layer becomes a snapshot by Prepare, applying the layer into
/// <see cref="ChangesDir"/>, then Commit under its chain ID; a container's rootfs is an active
/// snapshot whose parent is the image's top chain ID.
/// </summary>
public interface ISnapshotter
{
    /// <summary>A new writable snapshot on top of <paramref name="parent"/> (a committed snapshot, or none).</summary>
    IReadOnlyList<Mount> Prepare(string key, string? parent);
    /// <summary>A read-only view of <paramref name="parent"/>.</summary>
    IReadOnlyList<Mount> View(string key, string parent);
    IReadOnlyList<Mount> Mounts(string key);
    /// <summary>Turns an active snapshot into a committed one named <paramref name="name"/>.
    /// Returns false when <paramref name="name"/> already exists (another process committed the same
    /// content first); the active snapshot is then left for the caller to remove.</summary>
    bool Commit(string name, string key, long? size = null);
    void Remove(string key);
    SnapshotInfo? Stat(string key);
    SnapshotUsage Usage(string key);
    IReadOnlyList<SnapshotInfo> Walk();
    /// <summary>The directory that holds this snapshot's own changes (an overlay upperdir).</summary>
    string ChangesDir(string key);
    /// <summary>The changes directories of the parent chain, top first.</summary>
    IReadOnlyList<string> LowerDirs(string key);
}
