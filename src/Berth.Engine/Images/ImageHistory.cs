using Berth.Engine.Oci;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Images;

/// <summary>One row of <c>history</c>: an instruction, and the layer it made (size 0 for metadata-only steps).</summary>
public sealed record HistoryRow(Digest? ImageId, DateTimeOffset? Created, string CreatedBy, long Size, string Comment, bool EmptyLayer);

/// <summary>Pairs the config's history entries with the image's layers, newest first, as docker shows them.</summary>
public static class ImageHistory
{
    public static IReadOnlyList<HistoryRow> Of(ImageRecord image, ImageConfig config, ISnapshotter snapshots)
    {
        var rows = new List<HistoryRow>();
        int layer = 0;
        foreach (var h in config.History ?? [])
        {
            bool empty = h.EmptyLayer == true;
            long size = 0;
            if (!empty && layer < image.Layers.Count)
            {
                var l = image.Layers[layer++];
                size = snapshots.Stat(l.ChainId.ToString())?.Size ?? l.DiffSize ?? l.Blob.Size;
            }
            rows.Add(new HistoryRow(null, h.Created, h.CreatedBy ?? "", size, h.Comment ?? "", empty));
        }
        // Layers that no history entry describes (images written without history).
        for (; layer < image.Layers.Count; layer++)
        {
            var l = image.Layers[layer];
            rows.Add(new HistoryRow(null, config.Created, "", snapshots.Stat(l.ChainId.ToString())?.Size ?? l.Blob.Size, "", false));
        }
        rows.Reverse();
        if (rows.Count > 0) rows[0] = rows[0] with { ImageId = image.Id };
        return rows;
    }
}
