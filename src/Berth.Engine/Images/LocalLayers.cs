using System.IO.Pipelines;
using Berth.Engine.Layers;
using Berth.Engine.Metadata;
using Berth.Engine.Oci;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Images;

/// <summary>A layer made on this machine: its diff ID, the snapshot that holds it, its tar size.</summary>
public sealed record LocalLayer(Digest DiffId, Digest ChainId, long Size, long UnpackedSize)
{
    public Descriptor Blob => new() { MediaType = MediaTypes.OciLayer, Digest = DiffId, Size = Size };
}

/// <summary>
/// Layers made here (import, build steps, commit) are kept once, as their committed snapshot; their
/// uncompressed tar — the blob the manifest names — is written again from the snapshot when something
/// reads it (save, push), as BuildKit makes blobs lazily. The tar writer is deterministic and a
/// committed snapshot never changes, so the bytes are the same every time; each read verifies it.
/// This halves the bytes a build or an import writes.
/// </summary>
public sealed class LocalLayers(MetadataDb db, ISnapshotter snapshots)
{
    /// <summary>
    /// Turns an active snapshot (parent: <paramref name="parentChain"/>) into a committed layer named
    /// by its chain ID. If that layer exists already (same content committed before), the active
    /// snapshot is removed and the existing one is used.
    /// </summary>
    public LocalLayer Commit(string activeKey, Digest? parentChain)
    {
        var dir = snapshots.ChangesDir(activeKey);
        DiffResult diff;
        using (var sink = new HashingStream(Stream.Null))
            diff = LayerDiff.WriteOverlayUpper(dir, sink);
        var chain = ChainId.Next(parentChain, diff.DiffId);
        if (!snapshots.Commit(chain.ToString(), activeKey, diff.UnpackedSize)) snapshots.Remove(activeKey);
        db.Execute("INSERT INTO local_layers(diff_id, chain_id, size) VALUES($d, $c, $s) ON CONFLICT(diff_id) DO NOTHING",
            ("$d", diff.DiffId.ToString()), ("$c", chain.ToString()), ("$s", diff.TarSize));
        return new LocalLayer(diff.DiffId, chain, diff.TarSize, diff.UnpackedSize);
    }

    public bool TryGet(Digest diffId, out string chainId, out long size)
    {
        var row = db.Query("SELECT chain_id, size FROM local_layers WHERE diff_id=$d", r => (r.GetString(0), r.GetInt64(1)), ("$d", diffId.ToString()));
        if (row.Count == 0 || snapshots.Stat(row[0].Item1) is not { Kind: SnapshotKind.Committed })
        {
            chainId = "";
            size = 0;
            return false;
        }
        (chainId, size) = row[0];
        return true;
    }

    /// <summary>The layer's tar, written from its snapshot as it is read; a digest mismatch fails the read.</summary>
    public Stream Open(Digest diffId)
    {
        if (!TryGet(diffId, out var chain, out _)) throw new NotFoundException($"content {diffId} not found");
        var dir = snapshots.ChangesDir(chain);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20));
        _ = Task.Run(() =>
        {
            try
            {
                using var output = pipe.Writer.AsStream(leaveOpen: true);
                var made = LayerDiff.WriteOverlayUpper(dir, output);
                output.Flush();
                pipe.Writer.Complete(made.DiffId == diffId ? null
                    : new DigestMismatchException($"layer {diffId.Short} no longer matches its snapshot {chain} (it is {made.DiffId.Short}): the snapshot was changed on disk"));
            }
            catch (Exception e)
            {
                pipe.Writer.Complete(e);
            }
        });
        return pipe.Reader.AsStream();
    }

    /// <summary>Forgets the layers made from a snapshot that is being removed.</summary>
    public void Forget(string chainId) =>
        db.Execute("DELETE FROM local_layers WHERE chain_id=$c", ("$c", chainId));
}
