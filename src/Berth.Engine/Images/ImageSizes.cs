using Berth.Engine.Snapshots;

namespace Berth.Engine.Images;

/// <summary>What an image costs on disk: its virtual size (all layers) and its own size (the layers above its base).</summary>
public sealed record ImageSize(long Virtual, long Own, ImageRecord? Base);

/// <summary>
/// Works out image sizes from the unpacked snapshot sizes. An image's base is the stored image whose
/// layer stack is the longest strict prefix of its own, so a child shows just what it adds.
/// </summary>
public static class ImageSizes
{
    public static Dictionary<ImageRecord, ImageSize> Compute(IReadOnlyList<ImageRecord> images, IEnumerable<SnapshotInfo> snapshots)
    {
        var sizeOfChain = new Dictionary<string, long>();
        foreach (var s in snapshots)
            if (s.Kind == SnapshotKind.Committed && s.Size is { } size) sizeOfChain[s.Key] = size;

        var byTop = new Dictionary<string, ImageRecord>();
        foreach (var i in images)
            if (i.TopChainId is { } top) byTop.TryAdd(top.ToString(), i);

        var result = new Dictionary<ImageRecord, ImageSize>(ReferenceEqualityComparer.Instance);
        foreach (var image in images)
        {
            long LayerSize(LayerRecord l) => sizeOfChain.TryGetValue(l.ChainId.ToString(), out var s) ? s : l.DiffSize ?? l.Blob.Size;
            long total = image.Layers.Sum(LayerSize);
            ImageRecord? baseImage = null;
            int baseTop = -1;
            for (int k = image.Layers.Count - 2; k >= 0; k--)
            {
                if (byTop.TryGetValue(image.Layers[k].ChainId.ToString(), out var b) && !ReferenceEquals(b, image))
                {
                    baseImage = b;
                    baseTop = k;
                    break;
                }
            }
            long own = image.Layers.Skip(baseTop + 1).Sum(LayerSize);
            result[image] = new ImageSize(total, own, baseImage);
        }
        return result;
    }
}
