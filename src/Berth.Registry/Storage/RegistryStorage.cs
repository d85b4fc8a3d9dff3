namespace Berth.Registry.Storage;

/// <summary>A registry root on the local filesystem (see <see cref="RegistryPaths"/> for its layout).</summary>
public sealed class RegistryStorage : IRegistryStorage
{
    private readonly ManifestCache _cache;

    public RegistryStorage(string root, long manifestCacheBytes = 8 << 20)
    {
        Paths = new RegistryPaths(root);
        Directory.CreateDirectory(Paths.BlobsDir);
        Directory.CreateDirectory(Paths.RepositoriesDir);
        Directory.CreateDirectory(Paths.TmpDir);
        Blobs = new BlobStore(Paths);
        Uploads = new UploadStore(Paths, Blobs);
        _cache = new ManifestCache(manifestCacheBytes);
    }

    public RegistryPaths Paths { get; }
    public BlobStore Blobs { get; }
    public UploadStore Uploads { get; }

    IRepositoryStorage IRegistryStorage.Repository(string name) => Repository(name);

    public RepositoryStorage Repository(string name) => new(Paths, Blobs, _cache, name);

    public List<string> Catalog()
    {
        var result = new List<string>();
        Walk(new DirectoryInfo(Paths.RepositoriesDir), "");
        result.Sort(StringComparer.Ordinal);
        return result;

        void Walk(DirectoryInfo dir, string prefix)
        {
            foreach (var sub in dir.EnumerateDirectories())
            {
                if (sub.Name.StartsWith('_')) continue;
                var name = prefix.Length == 0 ? sub.Name : prefix + "/" + sub.Name;
                if (!Names.IsValidRepository(name)) continue;
                if (Directory.Exists(Path.Combine(sub.FullName, "_manifests")) || Directory.Exists(Path.Combine(sub.FullName, "_layers")))
                    result.Add(name);
                Walk(sub, name);
            }
        }
    }

    /// <summary>Removes temp files that a crashed writer left behind.</summary>
    public void CleanTemp(TimeSpan age)
    {
        foreach (var f in new DirectoryInfo(Paths.TmpDir).EnumerateFiles())
            if (DateTime.UtcNow - f.LastWriteTimeUtc > age)
                try { f.Delete(); } catch (IOException) { }
    }
}
