using Berth.Engine.Build.Execution.Run;
using Berth.Engine.Tests.Runtime;

namespace Berth.Engine.Tests.Build.Execution;

/// <summary>Mount points a RUN needed are no change of the step; whatever else it did stays.</summary>
public sealed class MountStubsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-stubs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Layer(string name, string script)
    {
        var d = Path.Combine(_dir, name);
        Directory.CreateDirectory(d);
        TestBundle.Sh($"cd {d} && {script}");
        return d;
    }

    [Fact]
    public void Existence_follows_whiteouts_and_opaque_directories()
    {
        var lower = Layer("lower", "mkdir -p etc proc gone/sub opq/old && touch etc/passwd");
        var upper = Layer("upper", "mknod gone c 0 0 && mkdir opq");
        int fd = Berth.Engine.Layers.Posix.OpenAt(Berth.Engine.Layers.Posix.AT_FDCWD, System.Text.Encoding.UTF8.GetBytes(upper), Berth.Engine.Layers.Posix.O_PATH | Berth.Engine.Layers.Posix.O_DIRECTORY);
        Assert.Equal(0, Berth.Engine.Layers.Posix.SetXattrAt(fd, "opq"u8, "trusted.overlay.opaque", "y"u8));
        Berth.Engine.Layers.Posix.Close(fd);
        string[] layers = [upper, lower];
        Assert.True(MountStubs.Exists(layers, "etc/passwd"));
        Assert.True(MountStubs.Exists(layers, "proc"));
        Assert.False(MountStubs.Exists(layers, "gone"));
        Assert.False(MountStubs.Exists(layers, "gone/sub"));
        Assert.True(MountStubs.Exists(layers, "opq"));
        Assert.False(MountStubs.Exists(layers, "opq/old"));
        Assert.False(MountStubs.Exists(layers, "etc/hosts"));
    }

    [Fact]
    public void Only_stubs_that_stayed_empty_are_removed_with_parents_they_alone_kept()
    {
        var lower = Layer("lower", "mkdir -p proc etc && touch etc/passwd");
        var stubs = MountStubs.Plan([lower], ["/proc", "/dev", "/dev/pts", "/etc/hosts", "/var/cache/app", "/data"]);
        // What the run left in its upper directory: the stubs, plus real changes in /etc and /data.
        var upper = Layer("upper", "mkdir -p dev etc var/cache/app data && touch etc/hosts etc/new && echo x > data/kept");
        stubs.Remove(upper);
        var left = TestBundle.Sh($"cd {upper} && find . | sort").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([".", "./data", "./data/kept", "./etc", "./etc/new"], left);
    }
}
