using Berth.Engine.Content;
using Berth.Engine.Oci;
using Berth.Engine.Snapshots;
using Berth.Engine.Util;

namespace Berth.Engine.Images;

/// <summary>What a collection removed.</summary>
public sealed record CollectResult(IReadOnlyList<Digest> Blobs, IReadOnlyList<string> Snapshots, long BytesFreed);

/// <summary>
/// Something besides images that keeps content alive (the build cache): the blobs and committed
/// snapshots it still names are never collected.
/// </summary>
public interface IGarbageRoots
{
    IEnumerable<Digest> ReferencedBlobs();
    IEnumerable<string> ReferencedChainIds();
}

/// <summary>
/// Removes blobs and committed snapshots that no image (and no other root) names any more. It runs
/// under the store's exclusive lock; commands that add content hold the shared lock, so nothing in
/// flight is collected. A committed snapshot with children (a container's rootfs, a build step) is kept.
/// </summary>
public sealed class ImageGarbageCollector(ImageStore images, FileContentStore content, ISnapshotter snapshots, LocalLayers localLayers, string lockPath,
    IReadOnlyList<IGarbageRoots>? roots = null)
{
    public CollectResult Collect()
    {
        using var _ = FileLock.Exclusive(lockPath);
        long freed = 0;
        var liveBlobs = images.ReferencedBlobs();
        foreach (var root in roots ?? []) liveBlobs.UnionWith(root.ReferencedBlobs());
        var removedBlobs = new List<Digest>();
        foreach (var (digest, size) in content.List().ToList())
        {
            if (liveBlobs.Contains(digest)) continue;
            if (content.Delete(digest)) { removedBlobs.Add(digest); freed += size; }
        }

        var liveChains = images.ReferencedChainIds();
        foreach (var root in roots ?? []) liveChains.UnionWith(root.ReferencedChainIds());
        var removedSnapshots = new List<string>();
        bool progress = true;
        while (progress)
        {
            progress = false;
            var all = snapshots.Walk();
            var parents = all.Where(s => s.Parent is not null).Select(s => s.Parent!).ToHashSet();
            foreach (var s in all)
            {
                if (s.Kind != SnapshotKind.Committed || liveChains.Contains(s.Key) || parents.Contains(s.Key)) continue;
                snapshots.Remove(s.Key);
                localLayers.Forget(s.Key);
                removedSnapshots.Add(s.Key);
                freed += s.Size ?? 0;
                progress = true;
            }
        }
        return new CollectResult(removedBlobs, removedSnapshots, freed);
    }
}
