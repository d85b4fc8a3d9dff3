using System.Security.Cryptography;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution.Copy;

/// <summary>
/// ADD's remote sources: the file is downloaded into a temp directory (mode 0600 and the server's
/// Last-Modified time, as docker sets them), checked against <c>--checksum</c> when given; its
/// content digest is part of the step's cache key, so a changed file misses the cache.
/// </summary>
public static class UrlDownload
{
    public static bool IsUrl(string source) =>
        source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    public static bool IsGit(string source) =>
        source.StartsWith("git@", StringComparison.Ordinal) || source.EndsWith(".git", StringComparison.Ordinal) || source.StartsWith("git://", StringComparison.Ordinal);

    /// <summary>Downloads <paramref name="url"/> into <paramref name="dir"/>; returns the file name and the content digest.</summary>
    public static (string Name, Digest Digest) Fetch(string url, string dir, string? checksum, CancellationToken ct)
    {
        var uri = new Uri(url);
        var name = Path.GetFileName(uri.AbsolutePath.TrimEnd('/'));
        if (name.Length == 0) name = "__unnamed__";
        var path = Path.Combine(dir, name);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        using var response = http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
            throw new BerthException($"failed to download {url}: {(int)response.StatusCode} {response.ReasonPhrase}");
        Digest digest;
        using (var body = response.Content.ReadAsStream(ct))
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var buffer = new byte[1 << 16];
            int n;
            while ((n = body.Read(buffer)) > 0)
            {
                file.Write(buffer, 0, n);
                sha.AppendData(buffer, 0, n);
            }
            digest = Digest.FromHash("sha256", sha.GetHashAndReset());
        }
        if (checksum is not null)
        {
            if (!Digest.TryParse(checksum, out var want, out var error)) throw new BerthException($"invalid --checksum {checksum}: {error}");
            if (want.Algorithm == "sha256" ? want != digest : !want.Matches(File.ReadAllBytes(path)))
                throw new BerthException($"digest mismatch for {url}: expected {want}, got {digest}");
        }
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (response.Content.Headers.LastModified is { } modified) File.SetLastWriteTimeUtc(path, modified.UtcDateTime);
        else File.SetLastWriteTimeUtc(path, DateTime.UnixEpoch);
        return (name, digest);
    }
}
