using Berth.Engine.Oci;

namespace Berth.Registry.Storage;

/// <summary>One repository on disk: links onto the global blob store, and its manifests and tags.</summary>
public sealed class RepositoryStorage(RegistryPaths paths, BlobStore blobs, ManifestCache cache, string name) : IRepositoryStorage
{
    public string Name { get; } = name;

    public bool Exists =>
        Directory.Exists(paths.ManifestsDir(Name)) || Directory.Exists(paths.LayersDir(Name)) || Directory.Exists(paths.UploadsDir(Name));

    public ManifestStore Manifests { get; } = new(paths, blobs, cache, name);

    public BlobInfo? StatBlob(Digest d) =>
        File.Exists(paths.LayerLink(Name, d)) || File.Exists(paths.RevisionLink(Name, d)) ? blobs.Stat(d) : null;

    public bool UnlinkBlob(Digest d) => Links.Delete(paths.LayerLink(Name, d));

    public bool Mount(Digest d, IRepositoryStorage from)
    {
        if (from.StatBlob(d) is null) return false;
        LinkBlob(d);
        return true;
    }

    public void LinkBlob(Digest d)
    {
        blobs.Touch(d);
        var link = paths.LayerLink(Name, d);
        if (!File.Exists(link)) Links.Write(link);
    }

    public IEnumerable<Digest> LinkedBlobs() => Links.List(paths.LayersDir(Name));

    /// <summary>When a manifest was last pushed to this repository.</summary>
    public DateTime RevisionTime(Digest d) => File.GetLastWriteTimeUtc(paths.RevisionLink(Name, d));
}
