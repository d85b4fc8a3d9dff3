using Berth.Engine.Content;
using Berth.Engine.Oci;

namespace Berth.Engine.Images;

/// <summary>
/// The one way an image enters the store, whatever brought it (import, load, pull, build, commit):
/// its config is in the content store and its layers are blobs there or layers made here
/// (<see cref="LocalLayers"/>); this checks that they agree with the
/// manifest, unpacks the layers, stores the manifest bytes exactly as given, then records the image
/// and its tags in one transaction.
/// </summary>
public sealed class ImageWriter(ImageStore images, IContentStore content, IContentProvider layers, LayerUnpacker unpacker)
{
    public ImageRecord Commit(ReadOnlySpan<byte> manifestBytes, string? mediaType,
        IEnumerable<ImageReference>? tags = null, IEnumerable<ImageReference>? repoDigests = null,
        bool intermediate = false, Digest? expectedDigest = null, CancellationToken ct = default)
    {
        var probe = OciJson.Parse(manifestBytes, OciJson.Default.ManifestProbe, "image manifest");
        var type = mediaType ?? probe.MediaType ?? (probe.Config is not null ? MediaTypes.OciManifest : null);
        if (!MediaTypes.IsManifest(type) || probe.Config is null || probe.Layers is null)
            throw new BerthException($"unsupported manifest media type \"{type ?? "(none)"}\": expected an OCI or Docker schema2 image manifest");
        var manifest = OciJson.Parse(manifestBytes, OciJson.Default.Manifest, "image manifest");

        var configBytes = ReadBlob(manifest.Config, "config");
        var config = OciJson.Parse(configBytes, OciJson.Default.ImageConfig, $"image config {manifest.Config.Digest.Short}");
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != manifest.Layers.Count)
            throw new BerthException($"image config {manifest.Config.Digest.Short} lists {diffIds.Count} layers but the manifest has {manifest.Layers.Count}");
        foreach (var layer in manifest.Layers)
        {
            if (!MediaTypes.IsLayer(layer.MediaType))
                throw new BerthException($"unsupported layer media type \"{layer.MediaType}\" in manifest");
            if (layers.SizeOf(layer.Digest) is not { } size)
                throw new NotFoundException($"layer {layer.Digest} is missing from the content store");
            if (size != layer.Size)
                throw new DigestMismatchException($"layer {layer.Digest.Short} is {size} bytes, the manifest says {layer.Size}");
        }

        var measured = unpacker.Unpack(manifest.Layers.Zip(diffIds).ToList(), ct);
        var chain = ChainId.Compute(diffIds);
        var manifestDescriptor = content.WriteBytes(manifestBytes, type!, expectedDigest);

        var record = new ImageRecord
        {
            Id = manifest.Config.Digest,
            Manifest = manifestDescriptor,
            ConfigSize = configBytes.Length,
            Created = config.Created,
            Added = DateTimeOffset.UtcNow,
            Os = config.Os,
            Architecture = config.Architecture,
            Intermediate = intermediate,
            Layers = manifest.Layers.Select((l, i) => new LayerRecord(i, diffIds[i], chain[i], l,
                measured[i] ?? images.DiffSizeOf(diffIds[i]))).ToList(),
        };
        images.Add(record, tags, repoDigests);
        return images.Get(record.Id)!;
    }

    private byte[] ReadBlob(Descriptor d, string what)
    {
        if (!content.Exists(d.Digest)) throw new NotFoundException($"image {what} {d.Digest} is missing from the content store");
        var bytes = content.ReadAllBytes(d.Digest);
        if (bytes.Length != d.Size) throw new DigestMismatchException($"image {what} {d.Digest.Short} is {bytes.Length} bytes, the manifest says {d.Size}");
        return bytes;
    }

    /// <summary>An OCI image manifest for a config and layers, serialised once: its bytes are its identity.</summary>
    public static byte[] NewManifest(Descriptor config, IReadOnlyList<Descriptor> layers, Dictionary<string, string>? annotations = null) =>
        OciJson.Bytes(new Manifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.OciManifest,
            Config = config,
            Layers = layers.ToList(),
            Annotations = annotations,
        }, OciJson.Default.Manifest);
}
