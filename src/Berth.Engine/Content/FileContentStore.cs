using Berth.Engine.Oci;

namespace Berth.Engine.Content;

/// <summary>
/// Blobs as files under <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c>; writes go through <c>ingest/</c> and are
/// renamed into place after verification. Rename is atomic, so two processes writing the same blob
/// both succeed and readers only ever see whole blobs.
/// </summary>
public sealed class FileContentStore : IContentStore
{
    private readonly string _blobs;
    private readonly string _ingest;

    public FileContentStore(string root)
    {
        _blobs = Path.Combine(root, "blobs");
        _ingest = Path.Combine(root, "ingest");
        Directory.CreateDirectory(Path.Combine(_blobs, "sha256"));
        Directory.CreateDirectory(_ingest);
    }

    public string PathOf(Digest digest)
    {
        if (!digest.IsSupported) throw new BerthException($"unsupported digest algorithm \"{digest.Algorithm}\"");
        return Path.Combine(_blobs, digest.Algorithm, digest.Hex);
    }

    public bool Exists(Digest digest) => digest.IsSupported && File.Exists(PathOf(digest));

    public long? SizeOf(Digest digest)
    {
        if (!digest.IsSupported) return null;
        var fi = new FileInfo(PathOf(digest));
        return fi.Exists ? fi.Length : null;
    }

    public Stream OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException)
        {
            throw new NotFoundException($"content {digest} not found");
        }
    }

    public byte[] ReadAllBytes(Digest digest)
    {
        try { return File.ReadAllBytes(PathOf(digest)); }
        catch (FileNotFoundException) { throw new NotFoundException($"content {digest} not found"); }
    }

    public ContentWriter BeginWrite() =>
        new(Path.Combine(_ingest, $"{Environment.ProcessId}-{Guid.NewGuid():N}"), PathOf);

    public Descriptor WriteBytes(ReadOnlySpan<byte> data, string mediaType, Digest? expected = null)
    {
        var actual = Digest.Compute(data);
        if (expected is { } e && e.Algorithm == "sha256" && e != actual)
            throw new DigestMismatchException($"digest mismatch: expected {e}, content is {actual}");
        if (expected is { } e2 && e2.Algorithm != "sha256")
        {
            if (!e2.Matches(data)) throw new DigestMismatchException($"digest mismatch: content does not match {e2}");
            actual = e2;
        }
        if (!Exists(actual))
        {
            using var w = BeginWrite();
            w.Write(data);
            w.Commit(actual, data.Length);
        }
        return new Descriptor { MediaType = mediaType, Digest = actual, Size = data.Length };
    }

    public async Task<Descriptor> WriteAsync(Stream data, string mediaType, Digest? expected = null, long? expectedSize = null, CancellationToken ct = default)
    {
        await using var w = BeginWrite();
        await data.CopyToAsync(w, 1 << 16, ct).ConfigureAwait(false);
        var digest = w.Commit(expected, expectedSize);
        return new Descriptor { MediaType = mediaType, Digest = digest, Size = w.Written };
    }

    public IEnumerable<(Digest Digest, long Size)> List()
    {
        foreach (var algDir in Directory.EnumerateDirectories(_blobs))
        {
            var alg = Path.GetFileName(algDir);
            foreach (var f in new DirectoryInfo(algDir).EnumerateFiles())
                if (Digest.TryParse(alg + ":" + f.Name, out var d)) yield return (d, f.Length);
        }
    }

    public bool Delete(Digest digest)
    {
        var p = PathOf(digest);
        if (!File.Exists(p)) return false;
        File.Delete(p);
        return true;
    }

    /// <summary>Removes temp files left by writers that died (older than <paramref name="age"/>).</summary>
    public void CleanIngest(TimeSpan age)
    {
        foreach (var f in new DirectoryInfo(_ingest).EnumerateFiles())
            if (DateTime.UtcNow - f.LastWriteTimeUtc > age)
                try { f.Delete(); } catch (IOException) { }
    }
}
