using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Images;

public sealed class TagAndRemoveTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    private int BlobCount() => Directory.GetFiles(Path.Combine(_root.Path, "blobs", "sha256")).Length;
    private int SnapshotCount() => Directory.GetDirectories(Path.Combine(_root.Path, "snapshots")).Length;

    [Fact]
    public void RemovingATagKeepsTheImageUntilItsLastName()
    {
        var id = _root.Run("import", BusyboxRootfs.Tar, "a:1").AssertOk().Stdout.Trim();
        _root.Run("tag", "a:1", "b:2").AssertOk();
        _root.Run("tag", id[7..19], "localhost:5000/c").AssertOk();
        Assert.Equal(3, _root.Run("images", "--format", "{{.Repository}}").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var r = _root.Run("rmi", "b:2").AssertOk();
        Assert.Equal("Untagged: b:2\n", r.Stdout);
        // By ID while two repositories name it: refused unless forced.
        var refused = _root.Run("rmi", id[7..19]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("referenced in multiple repositories", refused.Stderr);

        _root.Run("rmi", "localhost:5000/c:latest").AssertOk();
        Assert.True(BlobCount() >= 2); // manifest and config; the layer lives as its snapshot
        Assert.Equal(1, SnapshotCount());
        var last = _root.Run("rmi", "a:1").AssertOk().Stdout;
        Assert.Contains("Untagged: a:1", last);
        Assert.Contains($"Deleted: {id}", last);
        Assert.Equal(0, BlobCount());
        Assert.Equal(0, SnapshotCount());
        Assert.Equal("", _root.Run("images", "-q").Stdout);
    }

    [Fact]
    public void ForceRemovesAllNames()
    {
        var id = _root.Run("import", BusyboxRootfs.Tar, "a:1").AssertOk().Stdout.Trim();
        _root.Run("tag", "a:1", "b:1").AssertOk();
        var r = _root.Run("rmi", "-f", id).AssertOk();
        Assert.Contains("Untagged: a:1", r.Stdout);
        Assert.Contains("Untagged: b:1", r.Stdout);
        Assert.Equal(0, BlobCount());
    }

    [Fact]
    public void SharedLayersStayWhileAnotherImageUsesThem()
    {
        _root.Run("import", BusyboxRootfs.Tar, "a:1").AssertOk();
        _root.Run("import", BusyboxRootfs.Tar, "b:1").AssertOk();
        _root.Run("rmi", "a:1").AssertOk();
        Assert.Equal(1, SnapshotCount());
        Assert.Contains("b", _root.Run("images").Stdout);
    }

    [Fact]
    public void UnknownImagesAndBadNamesGiveOneLineErrors()
    {
        var r = _root.Run("rmi", "nope:1");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error: No such image: nope:1\n", r.Stderr);
        r = _root.Run("tag", "nope", "x");
        Assert.Equal(1, r.ExitCode);
        _root.Run("import", BusyboxRootfs.Tar, "a:1").AssertOk();
        r = _root.Run("tag", "a:1", "Bad:Name");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("must be lowercase", r.Stderr);
        r = _root.Run("inspect", "nope");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("No such object: nope", r.Stderr);
        Assert.Equal("[]\n", r.Stdout);
    }

    [Fact]
    public void PruneRemovesDanglingImages()
    {
        _root.Run("import", BusyboxRootfs.Tar, "a:1").AssertOk();
        _root.Run("import", BusyboxRootfs.Tar).AssertOk();
        Assert.Equal(2, _root.Run("images", "-q").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var r = _root.Run("image", "prune", "-f").AssertOk();
        Assert.Contains("deleted: sha256:", r.Stdout);
        Assert.Contains("Total reclaimed space", r.Stdout);
        Assert.Single(_root.Run("images", "-q").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        _root.Run("image", "prune", "-a", "-f").AssertOk();
        Assert.Equal("", _root.Run("images", "-q").Stdout);
        Assert.Equal(0, BlobCount());
    }

    [Fact]
    public void SystemDfCountsImages()
    {
        _root.Run("import", BusyboxRootfs.Tar, "a:1").AssertOk();
        var lines = _root.Run("system", "df").AssertOk().Stdout.Split('\n');
        Assert.Matches(@"^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$", lines[0]);
        Assert.Matches(@"^Images\s+1\s+0\s+\d", lines[1]);
    }
}

public sealed class RemoveImageInUseTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose()
    {
        _root.Run("rm", "-f", "user");
        _root.Dispose();
    }

    [Fact]
    public void AnImageAContainerUsesIsKeptUnlessForcedAndNeverWhileItRuns()
    {
        _root.Run("import", BusyboxRootfs.Tar, "a:1").AssertOk();
        _root.Run("create", "--name", "user", "--network", "none", "a:1", "sleep", "30").AssertOk();
        var refused = _root.Run("rmi", "a:1");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("(must force) - container", refused.Stderr);
        Assert.Contains("a", _root.Run("images", "--format", "{{.Repository}}").Stdout);

        _root.Run("start", "user").AssertOk();
        var running = _root.Run("rmi", "-f", "a:1");
        Assert.Equal(1, running.ExitCode);
        Assert.Contains("cannot be forced", running.Stderr);

        _root.Run("rm", "-f", "user").AssertOk();
        _root.Run("rmi", "a:1").AssertOk();
        Assert.Equal("", _root.Run("images", "-q").Stdout);
    }
}
