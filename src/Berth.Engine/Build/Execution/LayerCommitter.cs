using Berth.Engine.Content;
using Berth.Engine.Layers;
using Berth.Engine.Oci;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Build.Execution;

/// <summary>
/// Turns a step's active snapshot into its layer: the upper directory becomes an uncompressed
/// layer blob (digest = diff ID) and the snapshot is committed under its chain ID, so the next step
/// and every later build stack on it without unpacking anything. An empty upper directory is no
/// layer at all (the step is then an empty-layer history entry, as docker records it).
/// </summary>
internal sealed class LayerCommitter(ISnapshotter snapshots, IContentStore content, object storeLock)
{
    public (Descriptor? Layer, string? ChainId) Commit(string key, string? parentChain)
    {
        string upper;
        lock (storeLock) upper = snapshots.ChangesDir(key);
        if (!Directory.EnumerateFileSystemEntries(upper).Any())
        {
            lock (storeLock) snapshots.Remove(key);
            return (null, parentChain);
        }
        DiffResult diff;
        using (var writer = content.BeginWrite())
        {
            diff = LayerDiff.WriteOverlayUpper(upper, writer);
            writer.Commit(diff.DiffId, diff.TarSize);
        }
        var chain = BuildState.ChainOf(parentChain, diff.DiffId);
        lock (storeLock)
            if (!snapshots.Commit(chain, key, diff.UnpackedSize)) snapshots.Remove(key);
        return (new Descriptor { MediaType = MediaTypes.OciLayer, Digest = diff.DiffId, Size = diff.TarSize }, chain);
    }
}
