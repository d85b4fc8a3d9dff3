using Berth.Engine.Layers;

namespace Berth.Engine.Tests.Layers;

/// <summary>A real overlay mount: change things through it, then turn the upper directory into a layer.</summary>
public sealed class OverlayDiffTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly string _lower, _upper, _merged;

    public OverlayDiffTests()
    {
        _lower = _tmp.Sub("lower");
        _upper = _tmp.Sub("upper");
        var work = _tmp.Sub("work");
        _merged = _tmp.Sub("merged");
        Kit.Sh($"""
            cd '{_lower}' && mkdir -p app/data app/gone opq etc same && echo one > app/data/a.txt && echo two > app/gone/b.txt
            echo keep > opq/old.txt && echo p > etc/passwd && echo s > same/s && echo x > app/x
            touch -d '2020-01-01' app/data app/gone opq etc same app
            """);
        Kit.Sh($"mount -t overlay overlay -o lowerdir='{_lower}',upperdir='{_upper}',workdir='{work}' '{_merged}'");
        try
        {
            Kit.Sh($"""
                cd '{_merged}'
                rm -rf app/gone && rm app/x
                rm -rf opq && mkdir opq && echo new > opq/new.txt
                echo changed > app/data/a.txt
                echo added > app/data/added.txt && ln app/data/added.txt app/data/added-link
                mkdir -p fresh/dir && echo f > fresh/dir/f
                """);
        }
        finally
        {
            Kit.Sh($"umount '{_merged}'");
        }
    }

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void UpperBecomesALayerWithOciWhiteouts()
    {
        var ms = new MemoryStream();
        var result = LayerDiff.WriteOverlayUpper(_upper, ms);
        var entries = Kit.List(ms.ToArray());
        var names = entries.Select(e => e.Name).ToList();
        Assert.Equal([
            // a whiteout sits where the deleted name sorts, as in docker's layers
            "app/", "app/data/", "app/data/a.txt", "app/data/added-link", "app/data/added.txt", "app/.wh.gone", "app/.wh.x",
            "fresh/", "fresh/dir/", "fresh/dir/f",
            "opq/", "opq/.wh..wh..opq", "opq/new.txt",
        ], names);
        var whiteout = entries.Single(e => e.Name == "app/.wh.gone");
        Assert.Equal((TarEntryType.Regular, 0L), (whiteout.Type, whiteout.Size));
        Assert.Equal(TarEntryType.HardLink, entries.Single(e => e.Name == "app/data/added.txt").Type);
        Assert.All(entries, e => Assert.DoesNotContain(e.Xattrs, x => x.Name.StartsWith("trusted.overlay.")));
        Assert.Equal(ms.Length, result.TarSize);
        Assert.Equal(Berth.Engine.Oci.Digest.Compute(ms.ToArray()), result.DiffId);
    }

    [Fact]
    public void TheLayerRebuildsTheMergedViewInBothModes()
    {
        var ms = new MemoryStream();
        LayerDiff.WriteOverlayUpper(_upper, ms);
        var tar = ms.ToArray();

        // Delete mode onto a copy of the lower: the same tree the overlay showed
        var flat = Path.Combine(_tmp.Path, "flat");
        Kit.Sh($"cp -a '{_lower}' '{flat}'");
        Kit.Apply(tar, flat, new ApplyOptions { Whiteouts = WhiteoutMode.Delete });

        // Overlay mode into a fresh snapshot, mounted over the lower
        var snap = _tmp.Sub("snap");
        Kit.Apply(tar, snap, new ApplyOptions { LowerDirs = [_lower] });
        var view = _tmp.Sub("view");
        Kit.Sh($"mount -t overlay overlay -o ro,lowerdir='{snap}':'{_lower}' '{view}'");
        try
        {
            Assert.Equal(Kit.Manifest(flat), Kit.Manifest(view));
            Assert.False(Kit.Exists(Path.Combine(view, "opq/old.txt")));
            Assert.False(Kit.Exists(Path.Combine(view, "app/gone")));
            Assert.Equal("changed\n", File.ReadAllText(Path.Combine(view, "app/data/a.txt")));
        }
        finally
        {
            Kit.Sh($"umount '{view}'");
        }
    }

    [Fact]
    public void ChangesListsAddedChangedDeletedInDockersOrder()
    {
        var changes = LayerDiff.Changes(_upper, [_lower]).Select(c => c.ToString()).ToList();
        Assert.Equal([
            "C /app",
            "C /app/data",
            "C /app/data/a.txt",
            "A /app/data/added-link",
            "A /app/data/added.txt",
            "D /app/gone",
            "D /app/x",
            "A /fresh",
            "A /fresh/dir",
            "A /fresh/dir/f",
            "D /opq",
            "A /opq/new.txt",
        ], changes);
    }

    [Fact]
    public void HardLinkToALowerFileIsCopiedUp()
    {
        var tar = Kit.BuildTar(Kit.Dir("etc/"), Kit.HardLink("etc/passwd-link", "etc/passwd"));
        var snap = _tmp.Sub("snap2");
        Kit.Apply(tar, snap, new ApplyOptions { LowerDirs = [_upper, _lower] });
        Assert.Equal("p\n", File.ReadAllText(Path.Combine(snap, "etc/passwd-link")));
        Assert.Equal(Kit.Lstat(Path.Combine(snap, "etc/passwd")).Ino, Kit.Lstat(Path.Combine(snap, "etc/passwd-link")).Ino);
        // a target deleted in a higher lower layer is not found
        Assert.ThrowsAny<BerthException>(() => Kit.Apply(Kit.BuildTar(Kit.HardLink("y", "app/x")), _tmp.Sub("snap3"), new ApplyOptions { LowerDirs = [_upper, _lower] }));
    }

    [Fact]
    public void ImplicitParentsTakeTheLowerDirectorysAttributes()
    {
        Kit.Sh($"chmod 0750 '{_lower}/same' && chown 7:8 '{_lower}/same'");
        var snap = _tmp.Sub("snap4");
        Kit.Apply(Kit.BuildTar(Kit.File("same/new", "n")), snap, new ApplyOptions { LowerDirs = [_lower] });
        var lower = Kit.Lstat(Path.Combine(_lower, "same"));
        var st = Kit.Lstat(Path.Combine(snap, "same"));
        Assert.Equal((lower.Mode, lower.Uid, lower.Gid, lower.MtimeSec), (st.Mode, st.Uid, st.Gid, st.MtimeSec));
    }
}
