using System.Diagnostics;
using Berth.Engine.Metadata;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Tests.Snapshots;

public sealed class OverlaySnapshotterTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-snap-").FullName;
    private readonly MetadataDb _db;
    private readonly OverlaySnapshotter _snapshots;

    public OverlaySnapshotterTests()
    {
        _db = new MetadataDb(Path.Combine(_root, "db"), Schemas.All);
        _snapshots = new OverlaySnapshotter(_db, Path.Combine(_root, "snapshots"));
        Directory.CreateDirectory(Path.Combine(_root, "snapshots"));
    }

    public void Dispose()
    {
        _db.Dispose();
        Run("sh", "-c", $"grep -o ' {_root}[^ ]*' /proc/mounts | xargs -r -n1 umount -l");
        Directory.Delete(_root, recursive: true);
    }

    private static int Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode;
    }

    private string Layer(string key, string? parent, params (string Path, string Content)[] files)
    {
        _snapshots.Prepare("tmp-" + key, parent);
        var dir = _snapshots.ChangesDir("tmp-" + key);
        foreach (var (path, content) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, path))!);
            File.WriteAllText(Path.Combine(dir, path), content);
        }
        Assert.True(_snapshots.Commit(key, "tmp-" + key));
        return key;
    }

    [Fact]
    public void ActiveSnapshotOnAChainMountsAsAnOverlayOfItsParents()
    {
        Layer("l1", null, ("a", "1"), ("b", "1"));
        Layer("l2", "l1", ("b", "2"));
        var mounts = _snapshots.Prepare("ctr", "l2");
        var m = Assert.Single(mounts);
        Assert.Equal("overlay", m.Type);
        Assert.Equal([_snapshots.ChangesDir("l2"), _snapshots.ChangesDir("l1")], m.LowerDirs);
        Assert.Equal(_snapshots.ChangesDir("ctr"), m.UpperDir);

        var target = Directory.CreateDirectory(Path.Combine(_root, "mnt")).FullName;
        Assert.Equal(0, Run("mount", "-t", "overlay", "overlay", "-o", m.OptionString, target));
        try
        {
            Assert.Equal("1", File.ReadAllText(Path.Combine(target, "a")));
            Assert.Equal("2", File.ReadAllText(Path.Combine(target, "b")));
            File.WriteAllText(Path.Combine(target, "c"), "new");
        }
        finally
        {
            Run("umount", target);
        }
        Assert.True(File.Exists(Path.Combine(_snapshots.ChangesDir("ctr"), "c")));
        Assert.False(File.Exists(Path.Combine(_snapshots.ChangesDir("l2"), "c")));
    }

    [Fact]
    public void CommitRecordsSizeAndRefusesADuplicateName()
    {
        Layer("l1", null, ("a", "12345"));
        Assert.Equal(5, _snapshots.Stat("l1")!.Size);
        Assert.Equal(SnapshotKind.Committed, _snapshots.Stat("l1")!.Kind);
        _snapshots.Prepare("again", null);
        Assert.False(_snapshots.Commit("l1", "again"));
        Assert.Equal(SnapshotKind.Active, _snapshots.Stat("again")!.Kind);
    }

    [Fact]
    public void ASnapshotWithChildrenCannotBeRemoved()
    {
        Layer("base", null, ("a", "1"));
        _snapshots.Prepare("child", "base");
        Assert.Throws<BerthException>(() => _snapshots.Remove("base"));
        _snapshots.Remove("child");
        var dir = _snapshots.ChangesDir("base");
        _snapshots.Remove("base");
        Assert.False(Directory.Exists(dir));
        Assert.Empty(_snapshots.Walk());
    }

    [Fact]
    public void ParentMustBeCommitted()
    {
        _snapshots.Prepare("active", null);
        Assert.Throws<BerthException>(() => _snapshots.Prepare("child", "active"));
        Assert.Throws<NotFoundException>(() => _snapshots.Prepare("child", "missing"));
    }

    [Fact]
    public void ViewsOfOneLayerAreReadOnlyBinds()
    {
        Layer("l1", null, ("a", "1"));
        var m = Assert.Single(_snapshots.View("v", "l1"));
        Assert.Equal("bind", m.Type);
        Assert.True(m.ReadOnly);
    }

    [Fact]
    public void AnUnusedWritableLayerIsKeptForTheNextOneAndAWrittenOneIsDeleted()
    {
        Layer("base", null, ("a", "1"));
        var spares = Path.Combine(_root, "snapshots", ".spare");
        _snapshots.Prepare("c1", "base");
        // What a volatile overlay mount leaves in the workdir: the kernel would refuse to mount it again.
        var mark = Path.Combine(Path.GetDirectoryName(_snapshots.ChangesDir("c1"))!, "work", "work", "incompat", "volatile");
        Directory.CreateDirectory(mark);
        File.WriteAllText(Path.Combine(mark, "dirty"), "");
        int fd = Libc.open(_snapshots.ChangesDir("c1"), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        Assert.Equal(0, Berth.Engine.Layers.Posix.SetXattr(fd, "trusted.overlay.uuid", [1, 2, 3, 4])); // overlayfs stamps one
        Libc.close(fd);
        _snapshots.Remove("c1");
        var spare = Assert.Single(Directory.GetDirectories(spares));
        Assert.False(Directory.Exists(Path.Combine(spare, "work", "work", "incompat")));
        Assert.Null(_snapshots.Stat("c1"));

        _snapshots.Prepare("c2", "base");
        Assert.Empty(Directory.GetDirectories(spares));
        var upper = _snapshots.ChangesDir("c2");
        Assert.Empty(Directory.EnumerateFileSystemEntries(upper));
        File.WriteAllText(Path.Combine(upper, "written"), "x");
        _snapshots.Remove("c2");
        Assert.Empty(Directory.GetDirectories(spares));
        Assert.False(Directory.Exists(upper));

        _snapshots.Prepare("c3", "base");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_snapshots.ChangesDir("c3")));
        Assert.True(Directory.Exists(Path.Combine(Path.GetDirectoryName(_snapshots.ChangesDir("c3"))!, "work")));
    }

    [Fact]
    public void OrphanDirectoriesFromACrashAreCleaned()
    {
        var orphan = Directory.CreateDirectory(Path.Combine(_root, "snapshots", "9999", "fs")).Parent!.FullName;
        Layer("keep", null, ("a", "1"));
        Assert.Equal(1, _snapshots.CleanOrphans());
        Assert.False(Directory.Exists(orphan));
        Assert.True(Directory.Exists(_snapshots.ChangesDir("keep")));
    }
}
