using Berth.Engine.Layers;

namespace Berth.Engine.Tests.Layers;

public class WhiteoutTests
{
    private static readonly ApplyOptions Delete = new() { Whiteouts = WhiteoutMode.Delete };

    private static void MakeLower(string lower) => Kit.Sh($"""
        cd '{lower}' && mkdir -p app/gone/sub opq/keep etc && echo a > app/file && echo g > app/gone/sub/f
        echo k > opq/keep/k && echo o > opq/old && echo p > etc/passwd
        """);

    [Fact]
    public void OverlayModeTurnsWhiteoutsIntoCharDevicesAndOpaqueXattrs()
    {
        using var tmp = new TempDir();
        var snap = tmp.Sub("snap");
        var tar = Kit.BuildTar(Kit.Dir("app/"), Kit.File("app/.wh.gone"), Kit.File("app/.wh.file"),
                               Kit.Dir("opq/"), Kit.File("opq/.wh..wh..opq"), Kit.File("opq/new", "n"));
        var result = Kit.Apply(tar, snap);
        Assert.Equal(6, result.Entries);
        foreach (var wh in new[] { "app/gone", "app/file" })
        {
            var st = Kit.Lstat(Path.Combine(snap, wh));
            Assert.Equal((Posix.S_IFCHR, 0u, 0u), (st.Type, st.RdevMajor, st.RdevMinor));
        }
        Assert.Equal("y"u8.ToArray(), Kit.GetXattr(Path.Combine(snap, "opq"), "trusted.overlay.opaque"));
        Assert.False(Kit.Exists(Path.Combine(snap, "app/.wh.gone")));
        Assert.False(Kit.Exists(Path.Combine(snap, "opq/.wh..wh..opq")));
        Assert.Equal("n", File.ReadAllText(Path.Combine(snap, "opq/new")));
    }

    [Fact]
    public void DeleteModeRemovesWhatWhiteoutsName()
    {
        using var tmp = new TempDir();
        var tree = tmp.Sub("tree");
        MakeLower(tree);
        var tar = Kit.BuildTar(Kit.Dir("app/"), Kit.File("app/.wh.gone"), Kit.File("app/.wh.file"), Kit.File("app/.wh.never-existed"),
                               Kit.File("nodir/.wh.x"));
        Kit.Apply(tar, tree, Delete);
        Assert.False(Kit.Exists(Path.Combine(tree, "app/gone")));
        Assert.False(Kit.Exists(Path.Combine(tree, "app/file")));
        Assert.False(Kit.Exists(Path.Combine(tree, "nodir")));
        Assert.Equal("p\n", File.ReadAllText(Path.Combine(tree, "etc/passwd")));
    }

    [Fact]
    public void DeleteModeOpaqueEmptiesTheDirectoryButKeepsThisLayersEntries()
    {
        using var tmp = new TempDir();
        var tree = tmp.Sub("tree");
        MakeLower(tree);
        // "-early" sorts before ".wh..wh..opq": the marker applies to what came before this layer only
        var tar = Kit.BuildTar(Kit.Dir("opq/"), Kit.File("opq/-early", "e"), Kit.File("opq/.wh..wh..opq"), Kit.File("opq/new", "n"));
        Kit.Apply(tar, tree, Delete);
        Assert.Equal(["-early", "new"], Directory.GetFileSystemEntries(Path.Combine(tree, "opq")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void WhiteoutsCannotEscapeTheRoot()
    {
        using var tmp = new TempDir();
        var tree = tmp.Sub("tree");
        var victim = tmp.Sub("victim");
        File.WriteAllText(Path.Combine(victim, "keep"), "k");
        Assert.ThrowsAny<BerthException>(() => Kit.Apply(Kit.BuildTar(Kit.File("../victim/.wh.keep")), tree, Delete));
        Kit.Apply(Kit.BuildTar(Kit.Symlink("evil", victim), Kit.File("evil/.wh.keep")), tree, Delete);
        Kit.Apply(Kit.BuildTar(Kit.Symlink("evil2", victim), Kit.File("evil2/.wh..wh..opq")), tree, Delete);
        Assert.Equal("k", File.ReadAllText(Path.Combine(victim, "keep")));
        var ex = Assert.ThrowsAny<BerthException>(() => Kit.Apply(Kit.BuildTar(Kit.File("a/.wh.."), Kit.File("x")), tree, Delete));
        Assert.Contains("invalid whiteout", ex.Message);
    }
}
