using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution.Steps;

/// <summary>The config after a filesystem step: its layer (if it changed anything) and its history entry.</summary>
internal static class StepHistory
{
    public static ImageConfig After(ImageConfig config, Descriptor? layer, string createdBy)
    {
        var now = DateTimeOffset.UtcNow;
        return config with
        {
            Created = now,
            RootFs = layer is null ? config.RootFs : config.RootFs with { DiffIds = [.. config.RootFs.DiffIds, layer.Digest] },
            History = [.. config.History ?? [], new HistoryEntry { Created = now, CreatedBy = createdBy, EmptyLayer = layer is null ? true : null }],
        };
    }
}
