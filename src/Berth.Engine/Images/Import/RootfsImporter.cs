using Berth.Engine.Content;
using Berth.Engine.Layers;
using Berth.Engine.Oci;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Images.Import;

public sealed record ImportOptions
{
    /// <summary>Where the tarball came from, for the history comment ("Imported from -").</summary>
    public string Source { get; init; } = "-";
    public string? Message { get; init; }
    public Platform Platform { get; init; } = Platform.Default;
    /// <summary>Applies <c>--change</c> instructions (CMD, ENV...) to the new config.</summary>
    public Func<ContainerConfig, ContainerConfig>? Changes { get; init; }
    public IReadOnlyList<ImageReference> Tags { get; init; } = [];
}

/// <summary>
/// <c>import</c>: a rootfs tarball (plain, gzip or zstd) becomes a one-layer image. The tar is unpacked
/// once into a snapshot, which is the layer (<see cref="LocalLayers"/>): its canonical tar, written
/// from the snapshot, is the layer's blob, so the data is written to disk once.
/// </summary>
public sealed class RootfsImporter(ImageWriter writer, IContentStore content, ISnapshotter snapshots, LocalLayers localLayers)
{
    public ImageRecord Import(Stream input, ImportOptions options, CancellationToken ct = default)
    {
        using var tar = LayerCompression.OpenDecompressed(input, out _);
        var key = $"import-{Guid.NewGuid():N}";
        snapshots.Prepare(key, null);
        LocalLayer layer;
        try
        {
            var applied = LayerApplier.Apply(tar, snapshots.ChangesDir(key), new ApplyOptions { Whiteouts = WhiteoutMode.Overlay }, ct);
            if (applied.TarSize == 0)
                throw new BerthException($"import {options.Source}: the input is empty: give a tar archive of a root filesystem");
            layer = localLayers.Commit(key, null);
        }
        catch
        {
            if (snapshots.Stat(key) is not null) snapshots.Remove(key);
            throw;
        }

        var now = DateTimeOffset.UtcNow;
        var containerConfig = options.Changes?.Invoke(new ContainerConfig()) ?? new ContainerConfig();
        var config = new ImageConfig
        {
            Created = now,
            Architecture = options.Platform.Architecture,
            Os = options.Platform.Os,
            Variant = options.Platform.Variant,
            Config = containerConfig,
            RootFs = new RootFs { DiffIds = [layer.DiffId] },
            History = [new HistoryEntry { Created = now, CreatedBy = "berth import", Comment = options.Message ?? $"Imported from {options.Source}" }],
        };
        var configDescriptor = content.WriteBytes(OciJson.Bytes(config, OciJson.Default.ImageConfig), MediaTypes.OciConfig);
        return writer.Commit(ImageWriter.NewManifest(configDescriptor, [layer.Blob]), MediaTypes.OciManifest, options.Tags, ct: ct);
    }
}
