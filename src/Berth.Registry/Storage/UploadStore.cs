using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Berth.Engine.Oci;

namespace Berth.Registry.Storage;

/// <summary>
/// Blob upload sessions. A session is a directory on disk (<c>_uploads/&lt;id&gt;/data</c>), so it
/// survives a restart of the server; the running sha256 is kept in memory and rebuilt from the data
/// file when a session is resumed after a restart or after a failed chunk.
/// </summary>
public sealed class UploadStore(RegistryPaths paths, BlobStore blobs)
{
    private readonly ConcurrentDictionary<string, UploadState> _states = new(StringComparer.Ordinal);

    public UploadSession Start(string repository)
    {
        var id = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(paths.Upload(repository, id));
        File.WriteAllText(paths.UploadStartedAt(repository, id), DateTimeOffset.UtcNow.ToString("O"));
        using (File.Create(paths.UploadData(repository, id))) { }
        return new UploadSession(this, repository, id, State(repository, id));
    }

    /// <summary>An existing session, or null when there is none (never started, finished, cancelled, purged).</summary>
    public UploadSession? Open(string repository, string id)
    {
        if (!IsValidId(id) || !File.Exists(paths.UploadData(repository, id))) return null;
        return new UploadSession(this, repository, id, State(repository, id));
    }

    /// <summary>Session ids are 32 lowercase hex characters; anything else never names a directory.</summary>
    public static bool IsValidId(string id) => id.Length == 32 && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>Removes sessions untouched for longer than <paramref name="maxAge"/>; returns how many.</summary>
    public int Purge(TimeSpan maxAge, bool dryRun = false)
    {
        int n = 0;
        if (!Directory.Exists(paths.RepositoriesDir)) return 0;
        var cutoff = DateTime.UtcNow - maxAge;
        foreach (var uploads in Directory.EnumerateDirectories(paths.RepositoriesDir, "_uploads", SearchOption.AllDirectories))
        {
            foreach (var dir in new DirectoryInfo(uploads).EnumerateDirectories())
            {
                var data = new FileInfo(Path.Combine(dir.FullName, "data"));
                var last = data.Exists ? data.LastWriteTimeUtc : dir.LastWriteTimeUtc;
                if (last >= cutoff) continue;
                n++;
                if (dryRun) continue;
                var repo = Path.GetRelativePath(paths.RepositoriesDir, uploads);
                _states.TryRemove(Key(Path.GetDirectoryName(repo)!, dir.Name), out _);
                try { dir.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
        return n;
    }

    private UploadState State(string repository, string id) => _states.GetOrAdd(Key(repository, id), _ => new UploadState());

    private static string Key(string repository, string id) => repository + "\n" + id;

    internal string DataPath(string repository, string id) => paths.UploadData(repository, id);

    internal void Finish(string repository, string id)
    {
        _states.TryRemove(Key(repository, id), out var state);
        state?.ResetHash();
        try { Directory.Delete(paths.Upload(repository, id), recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    internal BlobStore Blobs => blobs;
    internal RegistryPaths Paths => paths;
}

/// <summary>In-memory state of a session: one request at a time, and the hash of the bytes so far.</summary>
internal sealed class UploadState
{
    public SemaphoreSlim Lock { get; } = new(1, 1);
    public IncrementalHash? Sha256 { get; private set; }
    public long Hashed { get; private set; }

    public IncrementalHash HasherAt(string dataPath, long size)
    {
        Sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (Hashed > size) ResetHash();
        Sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (Hashed < size)
        {
            using var f = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
            f.Seek(Hashed, SeekOrigin.Begin);
            var buf = ArrayPool<byte>.Shared.Rent(1 << 18);
            try
            {
                long left = size - Hashed;
                while (left > 0)
                {
                    int n = f.Read(buf, 0, (int)Math.Min(buf.Length, left));
                    if (n == 0) break;
                    Sha256.AppendData(buf, 0, n);
                    left -= n;
                }
                Hashed = size - left;
            }
            finally { ArrayPool<byte>.Shared.Return(buf); }
        }
        return Sha256;
    }

    public void Advance(long n) => Hashed += n;

    public void ResetHash()
    {
        Sha256?.Dispose();
        Sha256 = null;
        Hashed = 0;
    }
}
