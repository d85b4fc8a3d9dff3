using Berth.Engine.Content;
using Berth.Engine.Oci;

namespace Berth.Engine.Images;

/// <summary>
/// Everything an image names, readable by digest: blobs in the content store, and layers made here
/// whose tar is written from their snapshot on demand (<see cref="LocalLayers"/>). Readers (save,
/// push, the image writer's checks) use this; writers use the content store.
/// </summary>
public sealed class ImageContent(FileContentStore blobs, LocalLayers local) : IContentProvider
{
    public bool Exists(Digest digest) => blobs.Exists(digest) || local.TryGet(digest, out _, out _);

    public long? SizeOf(Digest digest) =>
        blobs.SizeOf(digest) ?? (local.TryGet(digest, out _, out var size) ? size : null);

    public Stream OpenRead(Digest digest) => blobs.Exists(digest) ? blobs.OpenRead(digest) : local.Open(digest);

    public byte[] ReadAllBytes(Digest digest)
    {
        if (blobs.Exists(digest)) return blobs.ReadAllBytes(digest);
        using var s = local.Open(digest);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
