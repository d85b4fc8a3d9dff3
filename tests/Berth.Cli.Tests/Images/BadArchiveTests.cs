using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Images;

public sealed class BadArchiveTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    private string[] Blobs() => Directory.Exists(Path.Combine(_root.Path, "blobs", "sha256"))
        ? Directory.GetFiles(Path.Combine(_root.Path, "blobs", "sha256")).Order().ToArray() : [];

    private void AssertOneLineError(RunResult r, string contains)
    {
        Assert.Equal(1, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("Error: ", lines[0]);
        Assert.Contains(contains, lines[0]);
    }

    [Fact]
    public void MissingFile()
    {
        AssertOneLineError(_root.Run("load", "-i", "/nonexistent/x.tar"), "no such file");
        AssertOneLineError(_root.Run("import", "/nonexistent/x.tar"), "no such file");
    }

    [Fact]
    public void GarbageIsNotAnArchive()
    {
        var f = _root.File("garbage");
        File.WriteAllText(f, string.Concat(Enumerable.Repeat("not a tar at all ", 200)));
        AssertOneLineError(_root.Run("load", "-i", f), f);
        Assert.Empty(Blobs());
    }

    [Fact]
    public void TruncatedArchiveLeavesTheStoreAsItWas()
    {
        _root.Run("import", BusyboxRootfs.Tar, "keep:1").AssertOk();
        var before = Blobs();
        var fixture = Path.Combine(Repo.SharedTestData, "docker-save-fixture.tar");
        var truncated = _root.File("truncated.tar");
        var bytes = File.ReadAllBytes(fixture);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length * 2 / 3)]);
        var r = _root.Run("load", "-i", truncated);
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(before, Blobs());
        Assert.Equal("keep\n", _root.Run("images", "--format", "{{.Repository}}").Stdout);
    }

    [Fact]
    public void CorruptBlobInAnOciLayoutIsRejected()
    {
        var dir = _root.File("layout");
        Shell.Run("cp", "-r", Path.Combine(Repo.SharedTestData, "oci-layout-fixture"), dir).AssertOk();
        var blob = Directory.GetFiles(Path.Combine(dir, "blobs", "sha256")).OrderByDescending(f => new FileInfo(f).Length).First();
        using (var f = new FileStream(blob, FileMode.Open)) { f.Position = 100; f.WriteByte(0x42); }
        var r = _root.Run("load", "-i", dir);
        AssertOneLineError(r, "digest mismatch");
        Assert.Empty(Blobs());
        Assert.Equal("", _root.Run("images", "-q").Stdout);
    }

    [Fact]
    public void CorruptGzipRootfsFailsCleanly()
    {
        var gz = _root.File("bad.tar.gz");
        Shell.Sh($"gzip -c {BusyboxRootfs.Tar} | head -c 300000 > {gz}").AssertOk();
        var r = _root.Run("import", gz, "bad:1");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(Blobs());
        Assert.Empty(Directory.GetDirectories(Path.Combine(_root.Path, "snapshots")));
    }
}
