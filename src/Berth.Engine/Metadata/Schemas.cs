namespace Berth.Engine.Metadata;

/// <summary>Every domain's tables, in the order they are created.</summary>
public static class Schemas
{
    public static IReadOnlyList<ISchema> All { get; } =
    [
        new Snapshots.SnapshotSchema(),
        new Images.ImageSchema(),
        new Distribution.DistributionSchema(),
        new Containers.ContainerSchema(),
        new Volumes.VolumeSchema(),
        new Networking.NetworkSchema(),
        new Build.Cache.BuildCacheSchema(),
        new Deploy.DeploySchema(),
    ];
}
