using Berth.Engine.Containers;

namespace Berth.Engine.Tests.Containers;

public sealed class BundleDirectoriesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-bundles-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Containers => Directory.CreateDirectory(Path.Combine(_root, "containers")).FullName;

    private string Scratch => Path.Combine(_root, "tmp");

    private string Spares => Path.Combine(Scratch, "spare-bundles");

    private ContainerPaths Paths(string id) => new(Containers, id);

    private static void WriteBundle(ContainerPaths p, string hostname)
    {
        BundleDirectories.WriteFile(p.Hostname, hostname + "\n");
        BundleDirectories.WriteFile(p.Hosts, "127.0.0.1\tlocalhost\n");
        BundleDirectories.WriteFile(p.ResolvConf, "nameserver 8.8.8.8\n");
        BundleDirectories.WriteFile(Path.Combine(p.Bundle, "config.json"), "{\"ociVersion\":\"1.0.2\",\"hostname\":\"" + hostname + "\"}");
    }

    [Fact]
    public void ARemovedBundleIsReusedAndItsFilesRewrittenToTheirNewLength()
    {
        var first = Paths("a");
        BundleDirectories.Create(first, Scratch);
        Assert.True(Directory.Exists(first.Rootfs));
        WriteBundle(first, "a-much-longer-hostname");
        BundleDirectories.Remove(first.Dir, Scratch);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Containers));
        Assert.Single(Directory.GetDirectories(Spares));

        var second = Paths("b");
        BundleDirectories.Create(second, Scratch);
        Assert.Empty(Directory.GetDirectories(Spares));
        Assert.Empty(Directory.EnumerateFileSystemEntries(second.Rootfs));
        WriteBundle(second, "b");
        Assert.Equal("b\n", File.ReadAllText(second.Hostname));
        Assert.Equal("{\"ociVersion\":\"1.0.2\",\"hostname\":\"b\"}", File.ReadAllText(Path.Combine(second.Bundle, "config.json")));
    }

    [Fact]
    public void ABundleWithAnythingElseIsDeleted()
    {
        var withLog = Paths("c");
        BundleDirectories.Create(withLog, Scratch);
        WriteBundle(withLog, "c");
        File.WriteAllText(withLog.Log, "{}\n");
        BundleDirectories.Remove(withLog.Dir, Scratch);
        Assert.False(Directory.Exists(withLog.Dir));

        var written = Paths("d");
        BundleDirectories.Create(written, Scratch);
        File.WriteAllText(Path.Combine(written.Rootfs, "x"), "left in the rootfs");
        BundleDirectories.Remove(written.Dir, Scratch);
        Assert.False(Directory.Exists(written.Dir));

        Assert.False(Directory.Exists(Spares));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Containers));
    }
}
