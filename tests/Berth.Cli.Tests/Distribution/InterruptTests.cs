using System.Diagnostics;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Distribution;

/// <summary>Ctrl-C in the middle of a pull: nothing partial becomes visible, no tag, and the next pull works.</summary>
public sealed class InterruptTests : IDisposable
{
    private readonly CncfRegistry _registry = new();
    private readonly TempRoot _source = new();
    private readonly TempRoot _target = new();

    public void Dispose()
    {
        _registry.Dispose();
        _source.Dispose();
        _target.Dispose();
    }

    [Fact]
    public async Task CtrlCDuringAPullLeavesNoPartialBlobAndNoTag()
    {
        // one layer of 16 MiB of random bytes (incompressible), served through a slow proxy
        var tree = _source.File("tree");
        Directory.CreateDirectory(tree);
        var data = new byte[16 << 20];
        new Random(7).NextBytes(data);
        File.WriteAllBytes(Path.Combine(tree, "blob.bin"), data);
        Shell.Run("tar", "-C", tree, "-cf", _source.File("big.tar"), ".").AssertOk();
        var image = $"{_registry.Domain}/big:1";
        _source.Run("import", _source.File("big.tar"), image).AssertOk();
        _source.Run("push", image).AssertOk();

        using var slow = new CountingProxy(_registry.Port, TimeSpan.FromMilliseconds(20));
        var psi = new ProcessStartInfo(BerthBinary.Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--root", _target.Path, "pull", $"{slow.Domain}/big:1" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string? line;
        while ((line = p.StandardOutput.ReadLine()) is not null && !line.EndsWith(": Pulling fs layer", StringComparison.Ordinal)) { }
        Assert.NotNull(line);
        await Task.Delay(500);
        Assert.False(p.HasExited, "the pull finished before it could be interrupted");
        Shell.Run("kill", "-INT", p.Id.ToString()).AssertOk();
        Assert.True(p.WaitForExit(30_000), "berth did not stop after SIGINT");
        p.StandardOutput.ReadToEnd();
        Assert.Equal(130, p.ExitCode);
        Assert.Contains("cancelled", await stderr);

        Assert.Equal("", _target.Run("images", "-q").AssertOk().Stdout);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_target.Path, "ingest")));
        var blobs = Directory.EnumerateFiles(Path.Combine(_target.Path, "blobs", "sha256")).Select(f => new FileInfo(f).Length);
        Assert.DoesNotContain(blobs, size => size > 1 << 20);

        _target.Run("pull", image).AssertOk();
        Assert.NotEqual("", _target.Run("images", "-q", image).AssertOk().Stdout.Trim());
    }
}
