using Berth.Engine.Build.Execution;
using Berth.Engine.Layers;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Containers;

/// <summary>
/// <c>export</c>: a container's filesystem as one flat tar (its changes over its image, whiteouts
/// applied), written from a read-only overlay of its layers that is mounted only for the walk.
/// </summary>
public static class ContainerExport
{
    public static void Write(ContainerService service, Container container, Stream output)
    {
        var snapshots = service.Snapshots;
        var layers = new List<string> { snapshots.ChangesDir(container.SnapshotKey) };
        layers.AddRange(snapshots.LowerDirs(container.SnapshotKey));
        if (layers.Count == 1)
        {
            LayerDiff.WriteTree(layers[0], output);
            return;
        }
        var view = new Mount("overlay", "overlay", ["ro", "index=off", "lowerdir=" + string.Join(':', layers)]);
        using var mounted = HostMount.Of(view, service.Root.TmpDir);
        LayerDiff.WriteTree(mounted.Path, output);
    }
}
