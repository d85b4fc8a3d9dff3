using Berth.Engine.Images;
using Berth.Engine.Oci;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Build.Execution;

/// <summary>
/// Turns a step's active snapshot into its layer: a local layer (<see cref="LocalLayers"/>), kept once
/// as its snapshot committed under its chain ID, so the next step and every later build stack on it
/// without unpacking anything, and its tar is written only when something reads it. An empty upper
/// directory is no layer at all (the step is then an empty-layer history entry, as docker records it).
/// </summary>
internal sealed class LayerCommitter(ISnapshotter snapshots, LocalLayers localLayers, object storeLock)
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
        LocalLayer layer;
        lock (storeLock) layer = localLayers.Commit(key, parentChain is null ? null : Digest.Parse(parentChain));
        return (layer.Blob, layer.ChainId.ToString());
    }
}
