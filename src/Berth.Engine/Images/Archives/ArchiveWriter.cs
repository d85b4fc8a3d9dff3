using System.Text.Json;
using Berth.Engine.Content;
using Berth.Engine.Layers;
using Berth.Engine.Oci;

namespace Berth.Engine.Images.Archives;

public enum ArchiveFormat { DockerArchive, OciLayout }

/// <summary>An image to save, with the names it should carry in the archive.</summary>
public sealed record SaveRequest(ImageRecord Image, IReadOnlyList<ImageReference> Tags);

/// <summary>
/// Writes images as a tar: docker-archive (manifest.json, &lt;config&gt;.json, &lt;layer&gt;/layer.tar with
/// uncompressed layers, as <c>docker load</c> reads it) or an OCI image layout (oci-layout,
/// index.json, blobs/ with the stored blobs as they are, as skopeo and umoci read it).
/// Shared layers are written once; every file is streamed, never buffered whole.
/// </summary>
public sealed class ArchiveWriter(IContentProvider content, string tmpDir)
{
    public void Write(IReadOnlyList<SaveRequest> images, ArchiveFormat format, Stream output, CancellationToken ct = default)
    {
        using var tar = new LayerTarWriter(output, leaveOpen: true);
        if (format == ArchiveFormat.DockerArchive) WriteDocker(images, tar, ct);
        else WriteOci(images, tar, ct);
        tar.Finish();
    }

    private void WriteDocker(IReadOnlyList<SaveRequest> images, LayerTarWriter tar, CancellationToken ct)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        var manifest = new List<DockerArchiveEntry>();
        var repositories = new Dictionary<string, Dictionary<string, string>>();
        foreach (var (image, tags) in images)
        {
            var configName = image.Id.Hex + ".json";
            if (written.Add(configName)) WriteBlob(tar, configName, image.Id);
            var layerPaths = new List<string>();
            foreach (var layer in image.Layers)
            {
                ct.ThrowIfCancellationRequested();
                var dir = layer.DiffId.Hex;
                var path = dir + "/layer.tar";
                if (written.Add(path))
                {
                    AddDirectory(tar, dir);
                    WriteUncompressedLayer(tar, path, layer);
                }
                layerPaths.Add(path);
            }
            manifest.Add(new DockerArchiveEntry
            {
                Config = configName,
                RepoTags = tags.Count == 0 ? null : tags.Select(t => t.Familiar).ToList(),
                Layers = layerPaths,
            });
            foreach (var t in tags)
            {
                if (!repositories.TryGetValue(t.FamiliarRepository, out var byTag)) repositories[t.FamiliarRepository] = byTag = [];
                if (image.Layers.Count > 0) byTag[t.Tag!] = image.Layers[^1].DiffId.Hex;
            }
        }
        WriteBytes(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest, ArchiveJson.Default.ListDockerArchiveEntry));
        if (repositories.Count > 0)
            WriteBytes(tar, "repositories", JsonSerializer.SerializeToUtf8Bytes(repositories, ArchiveJson.Default.DictionaryStringDictionaryStringString));
    }

    private void WriteOci(IReadOnlyList<SaveRequest> images, LayerTarWriter tar, CancellationToken ct)
    {
        WriteBytes(tar, "oci-layout", OciJson.Bytes(new OciLayoutMarker(), OciJson.Default.OciLayoutMarker));
        AddDirectory(tar, "blobs");
        AddDirectory(tar, "blobs/sha256");
        var written = new HashSet<Digest>();
        var descriptors = new List<Descriptor>();
        foreach (var (image, tags) in images)
        {
            var manifest = OciJson.Parse(content.ReadAllBytes(image.Manifest.Digest), OciJson.Default.Manifest, "image manifest");
            foreach (var d in new[] { image.Manifest.Digest, manifest.Config.Digest }.Concat(manifest.Layers.Select(l => l.Digest)))
            {
                ct.ThrowIfCancellationRequested();
                if (written.Add(d)) WriteBlob(tar, $"blobs/{d.Algorithm}/{d.Hex}", d);
            }
            if (tags.Count == 0) descriptors.Add(image.Manifest);
            foreach (var t in tags)
                descriptors.Add(image.Manifest with
                {
                    Annotations = new()
                    {
                        [Annotations.ContainerdImageName] = t.ToString(),
                        [Annotations.RefName] = t.Tag!,
                    },
                });
        }
        var index = new ImageIndex { SchemaVersion = 2, MediaType = MediaTypes.OciIndex, Manifests = descriptors };
        WriteBytes(tar, "index.json", OciJson.Bytes(index, OciJson.Default.ImageIndex));
    }

    private void WriteBlob(LayerTarWriter tar, string name, Digest digest)
    {
        var size = content.SizeOf(digest) ?? throw new NotFoundException($"content {digest} not found");
        using var s = content.OpenRead(digest);
        WriteStream(tar, name, s, size);
    }

    /// <summary>docker-archive layers are plain tars; compressed blobs are inflated on the way out.</summary>
    private void WriteUncompressedLayer(LayerTarWriter tar, string name, LayerRecord layer)
    {
        if (MediaTypes.LayerCompressionOf(layer.Blob.MediaType) == Compression.None)
        {
            WriteBlob(tar, name, layer.Blob.Digest);
            return;
        }
        using var blob = content.OpenRead(layer.Blob.Digest);
        using var inflated = LayerCompression.OpenDecompressed(blob, out _);
        if (layer.DiffSize is { } known)
        {
            WriteStream(tar, name, inflated, known);
            return;
        }
        // The tar header needs the size first: inflate into a temp file, then copy.
        Directory.CreateDirectory(tmpDir);
        var tmp = Path.Combine(tmpDir, $"save-{Guid.NewGuid():N}.tar");
        try
        {
            using (var f = File.Create(tmp)) inflated.CopyTo(f, 1 << 20);
            using var read = File.OpenRead(tmp);
            WriteStream(tar, name, read, read.Length);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    private static void WriteStream(LayerTarWriter tar, string name, Stream data, long size)
    {
        tar.WriteHeader(Entry(name, TarEntryType.Regular, 0x1a4 /* 0644 */, size));
        var buffer = new byte[1 << 20];
        long left = size;
        while (left > 0)
        {
            int n = data.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) throw new BerthException($"save: {name} ended after {size - left} of {size} bytes");
            tar.WriteData(buffer.AsSpan(0, n));
            left -= n;
        }
    }

    private static void WriteBytes(LayerTarWriter tar, string name, byte[] bytes)
    {
        tar.WriteHeader(Entry(name, TarEntryType.Regular, 0x1a4, bytes.Length));
        tar.WriteData(bytes);
    }

    private static void AddDirectory(LayerTarWriter tar, string name) =>
        tar.WriteHeader(Entry(name + "/", TarEntryType.Directory, 0x1ed /* 0755 */, 0));

    private static TarEntry Entry(string name, TarEntryType type, int mode, long size)
    {
        var e = new TarEntry { Type = type, Mode = mode, Size = size };
        e.SetName(System.Text.Encoding.UTF8.GetBytes(name));
        return e;
    }
}
