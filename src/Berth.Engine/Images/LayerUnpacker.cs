using Berth.Engine.Content;
using Berth.Engine.Layers;
using Berth.Engine.Oci;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Images;

/// <summary>
/// Turns layer blobs into committed snapshots named by chain ID, each unpacked once however many
/// images share it. The diff ID is verified while the layer is applied; a mismatch leaves nothing.
/// </summary>
public sealed class LayerUnpacker(ISnapshotter snapshots, IContentProvider content)
{
    /// <summary>Ensures every layer is unpacked; returns each layer's uncompressed tar size when it was measured now.</summary>
    public IReadOnlyList<long?> Unpack(IReadOnlyList<(Descriptor Blob, Digest DiffId)> layers, CancellationToken ct = default)
    {
        var chain = ChainId.Compute(layers.Select(l => l.DiffId).ToList());
        var sizes = new long?[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            sizes[i] = UnpackOne(layers[i].Blob, layers[i].DiffId, chain[i], i == 0 ? null : chain[i - 1], ct);
        }
        return sizes;
    }

    /// <summary>Unpacks one layer on top of <paramref name="parent"/> unless its snapshot exists; returns the tar size, or null if it was already there.</summary>
    public long? UnpackOne(Descriptor blob, Digest diffId, Digest chainId, Digest? parent, CancellationToken ct = default)
    {
        var name = chainId.ToString();
        if (snapshots.Stat(name) is { Kind: SnapshotKind.Committed }) return null;
        var key = $"extract-{Guid.NewGuid():N} {name}";
        snapshots.Prepare(key, parent?.ToString());
        try
        {
            ApplyResult result;
            using (var raw = content.OpenRead(blob.Digest))
            using (var tar = OpenUncompressed(raw, blob.MediaType))
                result = LayerApplier.Apply(tar, snapshots.ChangesDir(key), new ApplyOptions
                {
                    Whiteouts = WhiteoutMode.Overlay,
                    LowerDirs = snapshots.LowerDirs(key),
                }, ct);
            if (result.DiffId != diffId)
                throw new DigestMismatchException($"layer {blob.Digest.Short}: its content is {result.DiffId}, but the image config says {diffId}");
            if (!snapshots.Commit(name, key, result.UnpackedSize)) snapshots.Remove(key);
            return result.TarSize;
        }
        catch
        {
            if (snapshots.Stat(key) is not null) snapshots.Remove(key);
            throw;
        }
    }

    /// <summary>A layer blob as an uncompressed tar stream, whatever its compression (the media type may lie; the bytes decide).</summary>
    public static Stream OpenUncompressed(Stream blob, string mediaType) =>
        LayerCompression.OpenDecompressed(blob, out _);
}
