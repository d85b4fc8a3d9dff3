using System.Text.Json;
using Berth.Engine.Layers;

namespace Berth.Engine.Tests.Layers;

/// <summary>The layers of an image built and saved by docker itself (/work/shared/testdata, see its README).</summary>
public sealed class DockerFixtureTests : IDisposable
{
    private static readonly string FixturePath = FindFixture();
    private readonly TempDir _tmp = new();
    private readonly List<byte[]> _layers = [];
    private readonly List<string> _diffIds = [];

    public DockerFixtureTests()
    {
        // the outer docker-archive read with our own reader; layer.tar members may be symlinks to another layer's
        var files = new Dictionary<string, byte[]>();
        var links = new Dictionary<string, string>();
        using (var reader = new LayerTarReader(File.OpenRead(FixturePath)))
        {
            while (reader.MoveNext())
            {
                var e = reader.Current;
                var name = e.DisplayName;
                if (e.Type == TarEntryType.Regular)
                {
                    var data = new byte[e.Size];
                    reader.ReadData(data);
                    files[name] = data;
                }
                else if (e.Type == TarEntryType.Symlink)
                    links[name] = Path.GetFullPath(Path.Combine("/", Path.GetDirectoryName(name)!, e.DisplayLinkName))[1..];
            }
        }
        byte[] Member(string name) => files.TryGetValue(name, out var d) ? d : files[links[name]];

        using var manifest = JsonDocument.Parse(Member("manifest.json"));
        var image = manifest.RootElement.EnumerateArray().Single(i => i.GetProperty("RepoTags")[0].GetString() == "fixture/layers:1");
        foreach (var layer in image.GetProperty("Layers").EnumerateArray()) _layers.Add(Member(layer.GetString()!));
        using var config = JsonDocument.Parse(Member(image.GetProperty("Config").GetString()!));
        foreach (var id in config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray()) _diffIds.Add(id.GetString()!);
    }

    public void Dispose() => _tmp.Dispose();

    private static string FindFixture()
    {
        foreach (var dir in new[] { "/work/shared/testdata", Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/testdata") })
        {
            var p = Path.Combine(dir, "docker-save-fixture.tar");
            if (File.Exists(p)) return Path.GetFullPath(p);
        }
        return "/work/shared/testdata/docker-save-fixture.tar";
    }

    private static string LongFile => "app/long/" + new string('d', 120) + "/" + new string('e', 120) + "/f.txt";

    [Fact]
    public void LayersApplyFlatWithDockersDiffIds()
    {
        Assert.Equal(4, _layers.Count);
        var root = _tmp.Sub("flat");
        for (int i = 0; i < _layers.Count; i++)
        {
            var result = Kit.Apply(_layers[i], root, new ApplyOptions { Whiteouts = WhiteoutMode.Delete });
            Assert.Equal(_diffIds[i], result.DiffId.ToString());
            Assert.Equal(_layers[i].Length, result.TarSize);
            if (i == 1)
            {
                // layer 2: the hard link, symlink, setuid file and long path
                Assert.Equal(Kit.Lstat(Path.Combine(root, "app/data/a.txt")).Ino, Kit.Lstat(Path.Combine(root, "app/data/a-hardlink")).Ino);
                Assert.Equal("one\n", File.ReadAllText(Path.Combine(root, "app/data/a-hardlink")));
                Assert.True(File.Exists(Path.Combine(root, "app/gone/b.txt")));
                Assert.Equal("keep\n", File.ReadAllText(Path.Combine(root, "opq/old.txt")));
            }
        }
        Assert.Equal("../data/a.txt", new FileInfo(Path.Combine(root, "app/a-symlink")).LinkTarget);
        Assert.Equal(0b1000_100_111_101_101, Kit.Lstat(Path.Combine(root, "app/suid")).Mode); // regular, 04755
        Assert.Equal("deep\n", File.ReadAllText(Path.Combine(root, LongFile)));
        Assert.False(Kit.Exists(Path.Combine(root, "app/gone")));           // whiteout
        Assert.False(Kit.Exists(Path.Combine(root, "app/data/a-hardlink"))); // whiteout of a hard link
        Assert.Equal("changed\n", File.ReadAllText(Path.Combine(root, "app/data/a.txt")));
        Assert.False(Kit.Exists(Path.Combine(root, "opq/old.txt")));          // opaque directory
        Assert.Equal("new\n", File.ReadAllText(Path.Combine(root, "opq/new.txt")));
        Assert.Equal("hello from a docker-built fixture\n", File.ReadAllText(Path.Combine(root, "app/hello.txt")));
        Assert.True(File.Exists(Path.Combine(root, "bin/busybox")));
    }

    [Fact]
    public void LayersApplyAsOverlaySnapshotsThatMountToTheSameTree()
    {
        var flat = _tmp.Sub("flat");
        var snapshots = new List<string>();
        for (int i = 0; i < _layers.Count; i++)
        {
            Kit.Apply(_layers[i], flat, new ApplyOptions { Whiteouts = WhiteoutMode.Delete });
            var snap = _tmp.Sub($"snap{i}");
            var lowers = Enumerable.Reverse(snapshots).ToList();
            var result = Kit.Apply(_layers[i], snap, new ApplyOptions { LowerDirs = lowers });
            Assert.Equal(_diffIds[i], result.DiffId.ToString());
            snapshots.Add(snap);
        }
        var top = snapshots[^2];
        var whiteout = Kit.Lstat(Path.Combine(top, "app/gone"));
        Assert.Equal((Posix.S_IFCHR, 0u, 0u), (whiteout.Type, whiteout.RdevMajor, whiteout.RdevMinor));
        Assert.Equal("y"u8.ToArray(), Kit.GetXattr(Path.Combine(top, "opq"), "trusted.overlay.opaque"));

        var view = _tmp.Sub("view");
        var lowerdir = string.Join(':', Enumerable.Reverse(snapshots));
        Kit.Sh($"mount -t overlay overlay -o ro,lowerdir={lowerdir} '{view}'");
        try
        {
            Assert.Equal(Kit.Manifest(flat), Kit.Manifest(view));
        }
        finally
        {
            Kit.Sh($"umount '{view}'");
        }
    }

    [Fact]
    public void OurWriterReproducesDockersEntriesFromTheAppliedTree()
    {
        // the RUN layer applied to a snapshot and written back: docker's entries in docker's order
        // (the bytes differ only where we choose to: docker writes uname "root" and file-type bits in the mode field)
        var snap = _tmp.Sub("run-layer");
        Kit.Apply(_layers[1], snap);
        var ours = Kit.List(Kit.Tar(snap));
        Assert.Equal(Kit.List(_layers[1]).Select(e => (e.Name, e.Type, e.Link, e.Size)), ours.Select(e => (e.Name, e.Type, e.Link, e.Size)));
    }
}
