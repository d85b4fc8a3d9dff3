using System.Text.Json;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Images;

public sealed class SaveLoadTests : IDisposable
{
    private readonly TempRoot _root = new();
    private readonly TempRoot _other = new();

    public void Dispose()
    {
        _root.Dispose();
        _other.Dispose();
    }

    private static string Fixture(string name) => Path.Combine(Repo.SharedTestData, name);

    private string IdOf(TempRoot root, string name) => root.Run("images", "-q", "--no-trunc", name).AssertOk().Stdout.Trim();

    [Theory]
    [InlineData("docker-archive")]
    [InlineData("oci")]
    public void SaveThenLoadIntoAnotherRootKeepsTheImageId(string format)
    {
        _root.Run("import", BusyboxRootfs.Tar, "busybox:1").AssertOk();
        var archive = _root.File("out.tar");
        _root.Run("save", "--format", format, "-o", archive, "busybox:1").AssertOk();
        var r = _other.Run("load", "-i", archive).AssertOk();
        Assert.Equal("Loaded image: busybox:1\n", r.Stdout);
        Assert.Equal(IdOf(_root, "busybox:1"), IdOf(_other, "busybox:1"));
        var manifestA = JsonDocument.Parse(_root.Run("image", "inspect", "busybox:1").Stdout).RootElement[0].GetProperty("RootFS").ToString();
        var manifestB = JsonDocument.Parse(_other.Run("image", "inspect", "busybox:1").Stdout).RootElement[0].GetProperty("RootFS").ToString();
        Assert.Equal(manifestA, manifestB);
    }

    [Fact]
    public void LoadsADockerSaveArchive()
    {
        var r = _root.Run("load", "-i", Fixture("docker-save-fixture.tar")).AssertOk();
        Assert.Contains("Loaded image: fixture/layers:1", r.Stdout);
        Assert.Contains("Loaded image: localbase:1", r.Stdout);
        var row = _root.Run("images", "fixture/layers").AssertOk().Stdout;
        Assert.Matches(@"fixture/layers\s+1\s+[0-9a-f]{12}\s+.*\(virtual ", row);
        var history = _root.Run("history", "fixture/layers:1").AssertOk().Stdout;
        Assert.Contains("WORKDIR", history);
        Assert.Contains("<missing>", history);
        // docker's image ID is the config digest, whoever stores it.
        var manifest = JsonDocument.Parse(Shell.Sh($"tar -xOf {Fixture("docker-save-fixture.tar")} manifest.json").AssertOk().Stdout).RootElement;
        var config = manifest.EnumerateArray().First(e => e.GetProperty("RepoTags")[0].GetString() == "fixture/layers:1").GetProperty("Config").GetString()!;
        Assert.Equal("sha256:" + config.Replace(".json", "").Replace("blobs/sha256/", ""), IdOf(_root, "fixture/layers:1"));
    }

    [Fact]
    public void LoadsASkopeoOciLayoutAsTarAndAsDirectory()
    {
        var tar = _root.File("oci.tar");
        Shell.RunIn(Fixture("oci-layout-fixture"), "tar", "-cf", tar, ".").AssertOk();
        var r = _root.Run("load", "-i", tar).AssertOk();
        Assert.Contains("Loaded image: layers:latest", r.Stdout);
        _other.Run("load", "-i", Fixture("oci-layout-fixture")).AssertOk();
        Assert.Equal(IdOf(_root, "layers"), IdOf(_other, "layers"));
        // The same image as docker saved it (skopeo rewrote the config, so the IDs differ): same layers.
        _other.Run("load", "-i", Fixture("docker-save-fixture.tar")).AssertOk();
        string Layers(string name) => JsonDocument.Parse(_other.Run("image", "inspect", name).AssertOk().Stdout).RootElement[0].GetProperty("RootFS").ToString();
        Assert.Equal(Layers("fixture/layers:1"), Layers("layers"));
    }

    [Fact]
    public void SavedOciLayoutIsReadBySkopeoAndUmoci()
    {
        _root.Run("load", "-i", Fixture("docker-save-fixture.tar")).AssertOk();
        var tar = _root.File("oci.tar");
        _root.Run("save", "--format", "oci", "-o", tar, "fixture/layers:1").AssertOk();
        var inspect = Shell.Run("skopeo", "inspect", $"oci-archive:{tar}:1").AssertOk();
        var j = JsonDocument.Parse(inspect.Stdout).RootElement;
        var rootfs = JsonDocument.Parse(_root.Run("image", "inspect", "fixture/layers:1").Stdout).RootElement[0].GetProperty("RootFS").GetProperty("Layers");
        Assert.Equal(rootfs.GetArrayLength(), j.GetProperty("Layers").GetArrayLength());
        var dir = _root.File("layout");
        Directory.CreateDirectory(dir);
        Shell.Run("tar", "-xf", tar, "-C", dir).AssertOk();
        var ls = Shell.Run("umoci", "ls", "--layout", dir).AssertOk();
        Assert.Contains("1", ls.Stdout);
        Shell.Run("umoci", "stat", "--image", $"{dir}:1").AssertOk();
    }

    [Fact]
    public void SavedDockerArchiveIsReadBySkopeo()
    {
        _root.Run("load", "-i", Fixture("docker-save-fixture.tar")).AssertOk();
        var tar = _root.File("docker.tar");
        _root.Run("save", "-o", tar, "fixture/layers:1").AssertOk();
        var inspect = Shell.Run("skopeo", "inspect", $"docker-archive:{tar}").AssertOk();
        var j = JsonDocument.Parse(inspect.Stdout).RootElement;
        var digestsBerth = JsonDocument.Parse(_root.Run("image", "inspect", "fixture/layers:1").Stdout).RootElement[0]
            .GetProperty("RootFS").GetProperty("Layers").EnumerateArray().Select(l => l.GetString()).ToList();
        Assert.Equal(digestsBerth, j.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()).ToList());
    }
}
