using Berth.Engine.Oci;

namespace Berth.Registry.Storage;

/// <summary>What the HTTP handlers need from storage, and all they know of it.</summary>
public interface IRegistryStorage
{
    /// <summary>A repository by a name already checked with <see cref="Names.CheckRepository"/>.</summary>
    IRepositoryStorage Repository(string name);

    /// <summary>Every repository name in ASCII order.</summary>
    List<string> Catalog();

    UploadStore Uploads { get; }
}

public interface IRepositoryStorage
{
    string Name { get; }

    /// <summary>Whether anything was ever pushed to the repository.</summary>
    bool Exists { get; }

    /// <summary>A blob the repository may serve (a linked layer or config, or one of its manifests).</summary>
    BlobInfo? StatBlob(Digest d);

    /// <summary>Removes the repository's link to a blob; the bytes go at the next garbage collection.</summary>
    bool UnlinkBlob(Digest d);

    /// <summary>Links a blob that <paramref name="from"/> has into this repository; false when it has not.</summary>
    bool Mount(Digest d, IRepositoryStorage from);

    /// <summary>Links a blob just stored into this repository.</summary>
    void LinkBlob(Digest d);

    ManifestStore Manifests { get; }
}
