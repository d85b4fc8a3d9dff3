using Berth.Engine.Images;
using Berth.Engine.Metadata;
using Berth.Engine.Oci;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Tests.Images;

public sealed class LocalLayersTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-local-").FullName;
    private readonly MetadataDb _db;
    private readonly OverlaySnapshotter _snapshots;
    private readonly LocalLayers _layers;

    public LocalLayersTests()
    {
        _db = new MetadataDb(Path.Combine(_root, "db"), Schemas.All);
        Directory.CreateDirectory(Path.Combine(_root, "snapshots"));
        _snapshots = new OverlaySnapshotter(_db, Path.Combine(_root, "snapshots"));
        _layers = new LocalLayers(_db, _snapshots);
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private LocalLayer Make(string key, Digest? parent, string file, string content)
    {
        _snapshots.Prepare(key, parent?.ToString());
        File.WriteAllText(Path.Combine(_snapshots.ChangesDir(key), file), content);
        File.SetLastWriteTimeUtc(Path.Combine(_snapshots.ChangesDir(key), file), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        return _layers.Commit(key, parent);
    }

    [Fact]
    public void TheTarReadBackIsTheOneThatWasHashed()
    {
        var layer = Make("a", null, "hello", "world");
        Assert.Equal(layer.DiffId, layer.ChainId);
        Assert.True(_layers.TryGet(layer.DiffId, out var chain, out var size));
        Assert.Equal(layer.ChainId.ToString(), chain);
        using var s = _layers.Open(layer.DiffId);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        Assert.Equal(size, ms.Length);
        Assert.Equal(layer.DiffId, Digest.Compute(ms.ToArray()));
    }

    [Fact]
    public void ChildLayersGetChainIdsAndTheSameContentIsCommittedOnce()
    {
        var a = Make("a", null, "f", "1");
        var b = Make("b", a.ChainId, "g", "2");
        Assert.Equal(ChainId.Compute([a.DiffId, b.DiffId])[1], b.ChainId);
        var again = Make("b2", a.ChainId, "g", "2");
        Assert.Equal(b.ChainId, again.ChainId);
        Assert.Null(_snapshots.Stat("b2"));
        Assert.Equal(2, _snapshots.Walk().Count);
    }

    [Fact]
    public void AChangedSnapshotFailsTheReadInsteadOfServingOtherBytes()
    {
        var layer = Make("a", null, "f", "1");
        File.WriteAllText(Path.Combine(_snapshots.ChangesDir(layer.ChainId.ToString()), "f"), "tampered");
        using var s = _layers.Open(layer.DiffId);
        Assert.Throws<DigestMismatchException>(() => s.CopyTo(Stream.Null));
    }

    [Fact]
    public void ForgottenLayersAreGone()
    {
        var layer = Make("a", null, "f", "1");
        _snapshots.Remove(layer.ChainId.ToString());
        _layers.Forget(layer.ChainId.ToString());
        Assert.False(_layers.TryGet(layer.DiffId, out _, out _));
        Assert.Throws<NotFoundException>(() => _layers.Open(layer.DiffId));
    }
}
