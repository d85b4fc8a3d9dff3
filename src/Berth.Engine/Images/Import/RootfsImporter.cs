using Berth.Engine.Content;
using Berth.Engine.Layers;
using Berth.Engine.Oci;
using Berth.Engine.Snapshots;
using Berth.Engine.Util;

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
/// <c>import</c>: a rootfs tarball (plain, gzip or zstd) becomes a one-layer image in a single pass:
/// the uncompressed tar is stored as the layer blob while it is unpacked into its snapshot and hashed.
/// </summary>
public sealed class RootfsImporter(ImageWriter writer, IContentStore content, ISnapshotter snapshots)
{
    public ImageRecord Import(Stream input, ImportOptions options, CancellationToken ct = default)
    {
        using var tar = LayerCompression.OpenDecompressed(input, out _);
        var key = $"import-{Guid.NewGuid():N}";
        snapshots.Prepare(key, null);
        Digest diffId;
        long tarSize;
        try
        {
            ApplyResult applied;
            using (var blob = content.BeginWrite())
            {
                applied = LayerApplier.Apply(new TeeReadStream(tar, blob), snapshots.ChangesDir(key),
                    new ApplyOptions { Whiteouts = WhiteoutMode.Overlay }, ct);
                if (applied.TarSize == 0)
                    throw new BerthException($"import {options.Source}: the input is empty: give a tar archive of a root filesystem");
                blob.Commit(applied.DiffId, applied.TarSize);
            }
            diffId = applied.DiffId;
            tarSize = applied.TarSize;
            if (!snapshots.Commit(diffId.ToString(), key, applied.UnpackedSize)) snapshots.Remove(key);
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
            RootFs = new RootFs { DiffIds = [diffId] },
            History = [new HistoryEntry { Created = now, CreatedBy = "berth import", Comment = options.Message ?? $"Imported from {options.Source}" }],
        };
        var configDescriptor = content.WriteBytes(OciJson.Bytes(config, OciJson.Default.ImageConfig), MediaTypes.OciConfig);
        var layer = new Descriptor { MediaType = MediaTypes.OciLayer, Digest = diffId, Size = tarSize };
        return writer.Commit(ImageWriter.NewManifest(configDescriptor, [layer]), MediaTypes.OciManifest, options.Tags, ct: ct);
    }
}
