using System.Text.Json;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Images;

public sealed class ImportAndListTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    private string Import(string reference)
    {
        var r = _root.Run("import", BusyboxRootfs.Tar, reference).AssertOk();
        return r.Stdout.Trim();
    }

    [Fact]
    public void ImportedImageIsListedWithDockersColumns()
    {
        var id = Import("busybox:1");
        Assert.StartsWith("sha256:", id);
        var lines = _root.Run("images").AssertOk().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$", lines[0]);
        Assert.Matches($@"^busybox\s+1\s+{id[7..19]}\s+(Less than a second|\d+ seconds) ago\s+\d", lines[1]);
        Assert.Equal(id[7..19], _root.Run("images", "-q").AssertOk().Stdout.Trim());
        Assert.Equal(id, _root.Run("images", "-q", "--no-trunc").AssertOk().Stdout.Trim());
    }

    [Fact]
    public void ImportReadsGzipAndStdin()
    {
        var gz = _root.File("rootfs.tar.gz");
        Shell.Sh($"gzip -c {BusyboxRootfs.Tar} > {gz}").AssertOk();
        var a = Import("plain:1");
        var b = _root.Run("import", gz, "gz:1").AssertOk().Stdout.Trim();
        var c = BerthBinary.RunWith(_root.Path, null, null, "import", "-", "stdin:1");
        // Same tree, but different import times give different configs; the layer is shared.
        var layers = new[] { "plain:1", "gz:1" }.Select(n => Inspect(n).GetProperty("RootFS").GetProperty("Layers")[0].GetString()).ToList();
        Assert.Equal(layers[0], layers[1]);
        Assert.NotEqual(a, b);
        Assert.NotEqual(0, c.ExitCode); // stdin was empty
        Assert.Contains("tar", c.Stderr);
        var fromStdin = Shell.Sh($"{BerthBinary.Path} --root {_root.Path} import - stdin:1 < {gz}").AssertOk();
        Assert.StartsWith("sha256:", fromStdin.Stdout.Trim());
    }

    private JsonElement Inspect(string name)
    {
        var json = _root.Run("image", "inspect", name).AssertOk().Stdout;
        return JsonDocument.Parse(json).RootElement[0];
    }

    [Fact]
    public void InspectHasDockersShape()
    {
        var id = Import("busybox:1");
        var j = Inspect("busybox:1");
        Assert.Equal(id, j.GetProperty("Id").GetString());
        Assert.Equal("busybox:1", j.GetProperty("RepoTags")[0].GetString());
        Assert.Equal("amd64", j.GetProperty("Architecture").GetString());
        Assert.True(j.GetProperty("Size").GetInt64() > 500_000);
        Assert.Equal("layers", j.GetProperty("RootFS").GetProperty("Type").GetString());
        Assert.Equal(id[7..19] + "\n", _root.Run("inspect", "-f", "{{truncate .Id 19}}", "busybox:1").Stdout.Replace("sha256:", ""));
    }

    [Fact]
    public void ImportChangesSetTheConfig()
    {
        _root.Run("import", "-c", "CMD [\"/bin/sh\"]", "-c", "ENV A=1 B=two", "-c", "WORKDIR /tmp", "-m", "hello", BusyboxRootfs.Tar, "x:1").AssertOk();
        var c = Inspect("x:1").GetProperty("Config");
        Assert.Equal("/bin/sh", c.GetProperty("Cmd")[0].GetString());
        Assert.Equal(["A=1", "B=two"], c.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal("/tmp", c.GetProperty("WorkingDir").GetString());
        Assert.Contains("hello", _root.Run("history", "x:1").AssertOk().Stdout);
    }

    [Fact]
    public void FormatJsonAndTemplatesWork()
    {
        Import("busybox:1");
        var line = _root.Run("images", "--format", "json").AssertOk().Stdout.Trim();
        var row = JsonDocument.Parse(line).RootElement;
        Assert.Equal("busybox", row.GetProperty("Repository").GetString());
        Assert.Equal("1", row.GetProperty("Tag").GetString());
        Assert.Equal("busybox:1\n", _root.Run("images", "--format", "{{.Repository}}:{{.Tag}}").Stdout);
        var table = _root.Run("images", "--format", "table {{.Repository}}\\t{{.Tag}}").Stdout.Split('\n');
        Assert.Matches(@"^REPOSITORY\s+TAG$", table[0]);
    }

    [Fact]
    public void FilterByReferenceAndDangling()
    {
        Import("app/one:1");
        Import("other:2");
        var names = _root.Run("images", "--filter", "reference=app/*", "--format", "{{.Repository}}").AssertOk().Stdout.Trim();
        Assert.Equal("app/one", names);
        Assert.Equal("", _root.Run("images", "-q", "--filter", "dangling=true").AssertOk().Stdout.Trim());
        Assert.Equal("other", _root.Run("images", "other", "--format", "{{.Repository}}").AssertOk().Stdout.Trim());
    }
}
