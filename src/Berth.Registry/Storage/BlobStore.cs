using Berth.Engine.Oci;

namespace Berth.Registry.Storage;

/// <summary>A blob as it is stored: its digest, size and the file that holds it.</summary>
public readonly record struct BlobInfo(Digest Digest, long Size, string Path);

/// <summary>
/// The one global store of blob bytes, shared by all repositories (a layer pushed to ten
/// repositories is stored once). Files appear by rename only, after their digest was verified, so a
/// reader never sees a partial blob. Each time a blob is linked into a repository its mtime is set to
/// now: garbage collection spares blobs touched during its grace period.
/// </summary>
public sealed class BlobStore(RegistryPaths paths)
{
    public BlobInfo? Stat(Digest d)
    {
        var path = paths.Blob(d);
        var fi = new FileInfo(path);
        return fi.Exists ? new BlobInfo(d, fi.Length, path) : null;
    }

    public bool Exists(Digest d) => File.Exists(paths.Blob(d));

    public byte[] ReadAllBytes(Digest d) => File.ReadAllBytes(paths.Blob(d));

    /// <summary>Publishes a verified file under its digest (rename; the file is consumed).</summary>
    public void Ingest(string verifiedFile, Digest d)
    {
        var target = paths.Blob(d);
        if (File.Exists(target))
        {
            File.Delete(verifiedFile);
            Touch(d);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.SetLastWriteTimeUtc(verifiedFile, DateTime.UtcNow);
        File.Move(verifiedFile, target, overwrite: true);
    }

    /// <summary>Stores bytes whose digest the caller computed.</summary>
    public void Put(Digest d, ReadOnlySpan<byte> data)
    {
        if (Exists(d)) { Touch(d); return; }
        Directory.CreateDirectory(paths.TmpDir);
        var tmp = paths.NewTemp();
        try
        {
            using (var f = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
                f.Write(data);
            Ingest(tmp, d);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Marks a blob as just used, so a collection running now keeps it.</summary>
    public void Touch(Digest d)
    {
        try { File.SetLastWriteTimeUtc(paths.Blob(d), DateTime.UtcNow); }
        catch (FileNotFoundException) { }
        catch (DirectoryNotFoundException) { }
    }

    public bool Delete(Digest d)
    {
        var p = paths.Blob(d);
        if (!File.Exists(p)) return false;
        File.Delete(p);
        return true;
    }

    /// <summary>Every stored blob with its size and last use.</summary>
    public IEnumerable<(Digest Digest, long Size, DateTime LastUsedUtc)> List()
    {
        if (!Directory.Exists(paths.BlobsDir)) yield break;
        foreach (var algDir in new DirectoryInfo(paths.BlobsDir).EnumerateDirectories())
            foreach (var prefix in algDir.EnumerateDirectories())
                foreach (var f in prefix.EnumerateFiles())
                    if (RegistryPaths.TryDigestOf(algDir.Name, f.Name, out var d))
                        yield return (d, f.Length, f.LastWriteTimeUtc);
    }
}
