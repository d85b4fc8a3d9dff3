using System.Text;
using Berth.Engine.Content;
using Berth.Engine.Oci;

namespace Berth.Engine.Tests.Content;

public sealed class FileContentStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-content-").FullName;
    private readonly FileContentStore _store;

    public FileContentStoreTests() => _store = new FileContentStore(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void WrittenContentIsReadBackByDigest()
    {
        var d = _store.WriteBytes(Bytes("hello"), "text/plain");
        Assert.Equal(Digest.Compute(Bytes("hello")), d.Digest);
        Assert.True(_store.Exists(d.Digest));
        Assert.Equal(5, _store.SizeOf(d.Digest));
        Assert.Equal("hello", Encoding.UTF8.GetString(_store.ReadAllBytes(d.Digest)));
    }

    [Fact]
    public async Task WrongDigestIsRejectedAndNothingBecomesVisible()
    {
        var wrong = Digest.Compute(Bytes("other"));
        await Assert.ThrowsAsync<DigestMismatchException>(() => _store.WriteAsync(new MemoryStream(Bytes("hello")), "x", wrong));
        Assert.False(_store.Exists(wrong));
        Assert.False(_store.Exists(Digest.Compute(Bytes("hello"))));
        Assert.Empty(_store.List());
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "ingest")));
    }

    [Fact]
    public void WrongSizeIsRejected()
    {
        using var w = _store.BeginWrite();
        w.Write(Bytes("hello"));
        Assert.Throws<DigestMismatchException>(() => w.Commit(null, 4));
        Assert.Empty(_store.List());
    }

    [Fact]
    public void InterruptedIngestLeavesNothingVisible()
    {
        var w = _store.BeginWrite();
        w.Write(new byte[100_000]);
        // The writer is abandoned (the process would be killed here): the blob is not visible...
        Assert.Empty(_store.List());
        Assert.False(_store.Exists(Digest.Compute(new byte[100_000])));
        // ...and disposing (or the ingest cleanup after a crash) removes the temp file.
        w.Dispose();
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "ingest")));
    }

    [Fact]
    public void CrashLeftoversAreCleanedFromIngest()
    {
        var stale = Path.Combine(_root, "ingest", "12345-deadbeef");
        File.WriteAllText(stale, "partial");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-2));
        _store.CleanIngest(TimeSpan.FromHours(1));
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public void TwoWritersOfTheSameBlobBothSucceed()
    {
        var data = Enumerable.Range(0, 1 << 20).Select(i => (byte)i).ToArray();
        Parallel.For(0, 8, _ =>
        {
            using var w = _store.BeginWrite();
            w.Write(data);
            Assert.Equal(Digest.Compute(data), w.Commit(Digest.Compute(data), data.Length));
        });
        Assert.Single(_store.List());
        Assert.Equal(data, _store.ReadAllBytes(Digest.Compute(data)));
    }

    [Fact]
    public void Sha512DigestsAreVerified()
    {
        var data = Bytes("abc");
        var sha512 = Digest.FromHash("sha512", System.Security.Cryptography.SHA512.HashData(data));
        using (var w = _store.BeginWrite())
        {
            w.Write(data);
            Assert.Equal(sha512, w.Commit(sha512));
        }
        Assert.True(_store.Exists(sha512));
        using var bad = _store.BeginWrite();
        bad.Write(Bytes("abd"));
        Assert.Throws<DigestMismatchException>(() => bad.Commit(sha512));
    }

    [Fact]
    public void MissingContentIsNotFound()
    {
        Assert.Throws<NotFoundException>(() => _store.OpenRead(Digest.Compute(Bytes("nope"))));
        Assert.Null(_store.SizeOf(Digest.Compute(Bytes("nope"))));
    }
}
