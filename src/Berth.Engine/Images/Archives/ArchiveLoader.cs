using System.Text.Json;
using Berth.Engine.Content;
using Berth.Engine.Layers;
using Berth.Engine.Oci;

namespace Berth.Engine.Images.Archives;

/// <summary>An image that <c>load</c> stored, with the tags the archive gave it.</summary>
public sealed record LoadedImage(ImageRecord Image, IReadOnlyList<ImageReference> Tags);

/// <summary>
/// Loads a docker-archive (<c>docker save</c>: manifest.json, config and layer.tar files) or an OCI image
/// layout (index.json, blobs/), as a tar stream or a directory. Every file is streamed once into the
/// content store and verified; images are then recorded through <see cref="ImageWriter"/>. If the
/// archive is bad, the blobs this load added are removed again.
/// </summary>
public sealed class ArchiveLoader(ImageWriter writer, ImageStore images, FileContentStore content)
{
    private const int MaxMetadataBytes = 16 << 20;
    private static readonly HashSet<string> MetadataFiles = ["manifest.json", "index.json", "oci-layout", "repositories"];

    public IReadOnlyList<LoadedImage> LoadTar(Stream input, string source, CancellationToken ct = default)
    {
        using var tar = LayerCompression.OpenDecompressed(input, out _);
        return Load(ArchiveEntries.FromTar(tar, source), source, ct);
    }

    public IReadOnlyList<LoadedImage> LoadDirectory(string dir, CancellationToken ct = default) =>
        Load(ArchiveEntries.FromDirectory(dir), dir, ct);

    private sealed class Contents
    {
        public readonly Dictionary<string, byte[]> Metadata = new(StringComparer.Ordinal);
        public readonly Dictionary<string, Descriptor> Blobs = new(StringComparer.Ordinal);
        public readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal);
        public readonly List<Digest> Added = [];

        public Descriptor Blob(string path, string source)
        {
            var p = ArchiveEntries.Clean(path);
            for (int hops = 0; hops < 16 && Aliases.TryGetValue(p, out var target); hops++) p = target;
            return Blobs.TryGetValue(p, out var d) ? d : throw new BerthException($"{source}: the archive names \"{path}\" but does not contain it");
        }
    }

    private IReadOnlyList<LoadedImage> Load(IEnumerable<(ArchiveFile? File, (string Path, string Target)? Alias)> entries, string source, CancellationToken ct)
    {
        var c = new Contents();
        try
        {
            foreach (var (file, alias) in entries)
            {
                ct.ThrowIfCancellationRequested();
                if (alias is { } a) { c.Aliases[a.Path] = a.Target; continue; }
                Ingest(file!, c, source);
            }
            if (c.Metadata.ContainsKey("manifest.json")) return LoadDockerArchive(c, source, ct);
            if (c.Metadata.ContainsKey("index.json")) return LoadOciLayout(c, source, ct);
            throw new BerthException($"{source}: not an image archive (no manifest.json or index.json): make it with `berth save` or `docker save`");
        }
        catch
        {
            var live = images.ReferencedBlobs();
            foreach (var d in c.Added.Where(d => !live.Contains(d))) content.Delete(d);
            throw;
        }
    }

    private void Ingest(ArchiveFile file, Contents c, string source)
    {
        var name = file.Path;
        if (MetadataFiles.Contains(name))
        {
            if (file.Size > MaxMetadataBytes) throw new BerthException($"{source}: {name} is too large ({file.Size} bytes)");
            var buffer = new byte[file.Size];
            file.Data.ReadExactly(buffer);
            c.Metadata[name] = buffer;
            return;
        }
        var parts = name.Split('/');
        // Legacy v1 metadata beside each docker layer (VERSION, json) carries nothing we use.
        if (parts.Length == 2 && parts[1] is "VERSION" or "json") return;
        Digest? expected = null;
        if (parts.Length == 3 && parts[0] == "blobs" && Digest.TryParse($"{parts[1]}:{parts[2]}", out var d)) expected = d;
        else if (parts.Length == 1 && name.EndsWith(".json", StringComparison.Ordinal) && Digest.TryParse("sha256:" + name[..^5], out var cd)) expected = cd;
        if (expected is { } e && content.SizeOf(e) == file.Size)
        {
            c.Blobs[name] = new Descriptor { MediaType = "", Digest = e, Size = file.Size };
            return;
        }
        using var w = content.BeginWrite();
        file.Data.CopyTo(w, 1 << 20);
        Digest digest;
        try { digest = w.Commit(expected, file.Size); }
        catch (DigestMismatchException ex) { throw new BerthException($"{source}: {name}: {ex.Message}"); }
        c.Added.Add(digest);
        c.Blobs[name] = new Descriptor { MediaType = "", Digest = digest, Size = file.Size };
    }

    private IReadOnlyList<LoadedImage> LoadDockerArchive(Contents c, string source, CancellationToken ct)
    {
        List<DockerArchiveEntry> entries;
        try { entries = JsonSerializer.Deserialize(c.Metadata["manifest.json"], ArchiveJson.Default.ListDockerArchiveEntry) ?? []; }
        catch (JsonException e) { throw new BerthException($"{source}: manifest.json is malformed: {e.Message}"); }
        var ociManifests = c.Metadata.ContainsKey("index.json") ? OciManifestsByConfig(c, source) : [];
        var loaded = new List<LoadedImage>();
        foreach (var entry in entries)
        {
            var config = c.Blob(entry.Config, source) with { MediaType = MediaTypes.OciConfig };
            var tags = (entry.RepoTags ?? []).Select(ImageReference.Parse).ToList();
            byte[] manifest;
            if (ociManifests.TryGetValue(config.Digest, out var exact)) manifest = exact;
            else
            {
                var layers = entry.Layers.Select(p => c.Blob(p, source)).Select(b => b with { MediaType = LayerMediaTypeOf(b) }).ToList();
                manifest = ImageWriter.NewManifest(config, layers);
            }
            var image = writer.Commit(manifest, null, tags, ct: ct);
            loaded.Add(new LoadedImage(image, tags));
        }
        return loaded;
    }

    /// <summary>Newer docker archives are also OCI layouts: keep their manifests' exact bytes.</summary>
    private Dictionary<Digest, byte[]> OciManifestsByConfig(Contents c, string source)
    {
        var result = new Dictionary<Digest, byte[]>();
        foreach (var (descriptor, _) in ManifestsOf(ParseIndex(c.Metadata["index.json"], source), source))
        {
            var bytes = content.ReadAllBytes(descriptor.Digest);
            var m = OciJson.Parse(bytes, OciJson.Default.Manifest, $"{source}: manifest {descriptor.Digest.Short}");
            result[m.Config.Digest] = bytes;
        }
        return result;
    }

    private IReadOnlyList<LoadedImage> LoadOciLayout(Contents c, string source, CancellationToken ct)
    {
        var index = ParseIndex(c.Metadata["index.json"], source);
        var loaded = new List<LoadedImage>();
        foreach (var (descriptor, refName) in ManifestsOf(index, source))
        {
            var tags = new List<ImageReference>();
            if (refName is not null && ImageReference.TryParse(refName, out var r) && r.Tag is not null) tags.Add(r);
            var image = writer.Commit(content.ReadAllBytes(descriptor.Digest), descriptor.MediaType, tags, expectedDigest: descriptor.Digest, ct: ct);
            loaded.Add(new LoadedImage(image, tags));
        }
        return loaded;
    }

    private static ImageIndex ParseIndex(byte[] bytes, string source) =>
        OciJson.Parse(bytes, OciJson.Default.ImageIndex, $"{source}: index.json");

    /// <summary>The image manifests an index names, nested indexes resolved to linux/amd64, with their names.</summary>
    private IEnumerable<(Descriptor Manifest, string? Name)> ManifestsOf(ImageIndex index, string source, string? inheritedName = null)
    {
        foreach (var d in index.Manifests)
        {
            var name = d.Annotation(Annotations.ContainerdImageName) ?? d.Annotation(Annotations.RefName) ?? inheritedName;
            if (!content.Exists(d.Digest)) throw new BerthException($"{source}: index names {d.Digest} but the archive does not contain it");
            if (MediaTypes.IsIndex(d.MediaType))
            {
                var nested = OciJson.Parse(content.ReadAllBytes(d.Digest), OciJson.Default.ImageIndex, $"{source}: index {d.Digest.Short}");
                var pick = nested.Manifests.FirstOrDefault(m => m.Platform is null || m.Platform.Matches(Platform.Default))
                    ?? throw new BerthException($"{source}: index {d.Digest.Short} has no linux/amd64 image");
                foreach (var m in ManifestsOf(nested with { Manifests = [pick] }, source, name)) yield return m;
            }
            else if (MediaTypes.IsManifest(d.MediaType) || d.MediaType is null)
            {
                if (d.Platform is null || d.Platform.Matches(Platform.Default) || index.Manifests.Count == 1)
                    yield return (d, name);
            }
        }
    }

    private string LayerMediaTypeOf(Descriptor blob)
    {
        Span<byte> head = stackalloc byte[4];
        using var s = content.OpenRead(blob.Digest);
        int n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return MediaTypes.LayerMediaType(LayerCompression.Detect(head[..n]), docker: false);
    }
}
