using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Containers;

public class FilesTests : IDisposable
{
    private readonly ContainerRoot _r = new();

    public void Dispose() => _r.Dispose();

    [Fact]
    public void Cp_round_trips_files_and_directories_in_both_directions_running_or_stopped()
    {
        var src = Directory.CreateDirectory(_r.File("src")).FullName;
        File.WriteAllText(Path.Combine(src, "a.txt"), "alpha");
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        File.WriteAllText(Path.Combine(src, "sub", "b.txt"), "beta");

        var id = _r.Detached(ContainerRoot.Image, "sleep", "3600");
        _r.Run("cp", src, id + ":/data").AssertOk();
        _r.Run("cp", Path.Combine(src, "a.txt"), id + ":/tmp/").AssertOk();
        Assert.Equal("alpha beta alpha", _r.Run("exec", id, "sh", "-c", "echo $(cat /data/a.txt) $(cat /data/sub/b.txt) $(cat /tmp/a.txt)").AssertOk().Stdout.Trim());

        var back = _r.File("back");
        _r.Run("cp", id + ":/data", back).AssertOk();
        Assert.Equal("beta", File.ReadAllText(Path.Combine(back, "sub", "b.txt")));
        _r.Run("cp", id + ":/etc/hostname", _r.File("hostname.txt")).AssertOk();
        Assert.Equal(id[..12] + "\n", File.ReadAllText(_r.File("hostname.txt")));

        _r.Run("stop", "-t", "0", id).AssertOk();
        _r.Run("cp", id + ":/data/a.txt", _r.File("stopped.txt")).AssertOk();
        Assert.Equal("alpha", File.ReadAllText(_r.File("stopped.txt")));
        _r.Run("cp", Path.Combine(src, "sub", "b.txt"), id + ":/b.txt").AssertOk();
        Assert.Empty(Cleanup.MountsUnder(_r.Path));

        var missing = _r.Run("cp", id + ":/nope", _r.File("x"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("Could not find the file /nope", missing.Stderr);
    }

    [Fact]
    public void Cp_streams_tar_archives_with_a_dash()
    {
        var id = _r.Detached(ContainerRoot.Image, "sh", "-c", "mkdir /d; echo x > /d/f; sleep 3600");
        ContainerRoot.Eventually(() => _r.Run("exec", id, "test", "-f", "/d/f"), r => r.ExitCode == 0);
        var tar = _r.File("out.tar");
        Shell.Sh($"'{BerthBinary.Path}' --root '{_r.Path}' cp {id}:/d - > '{tar}'").AssertOk();
        var listing = Shell.Run("tar", "-tf", tar).AssertOk().Stdout;
        Assert.Contains("d/f", listing);
        Shell.Sh($"cd '{_r.Path}' && mkdir in && echo y > in/g && tar -C in -cf in.tar g").AssertOk();
        Shell.Sh($"'{BerthBinary.Path}' --root '{_r.Path}' cp - {id}:/tmp < '{_r.File("in.tar")}'").AssertOk();
        Assert.Equal("y\n", _r.Run("exec", id, "cat", "/tmp/g").AssertOk().Stdout);
    }

    [Fact]
    public void Diff_lists_added_changed_and_deleted_paths()
    {
        _r.Run("run", "--name", "dd", ContainerRoot.Image, "sh", "-c", "echo new > /new.txt; rm /etc/group; echo more >> /etc/passwd").AssertOk();
        var diff = _r.Run("diff", "dd").AssertOk().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("A /new.txt", diff);
        Assert.Contains("C /etc", diff);
        Assert.Contains("D /etc/group", diff);
        Assert.Contains("C /etc/passwd", diff);
        Assert.DoesNotContain(diff, l => l.Contains("/proc") || l.Contains("/dev") || l.Contains("/etc/hosts"));
    }

    [Fact]
    public void Commit_makes_an_image_that_holds_the_changes_and_the_config()
    {
        _r.Run("run", "--name", "src", "-e", "GREETING=hi", "-w", "/work", ContainerRoot.Image, "sh", "-c", "echo committed > /work/file; rm /etc/group").AssertOk();
        var id = _r.Run("commit", "-m", "my change", "-c", "CMD [\"cat\", \"file\"]", "src", "snap:1").AssertOk().Stdout.Trim();
        Assert.StartsWith("sha256:", id);
        var r = _r.Run("run", "--rm", "snap:1").AssertOk();
        Assert.Equal("committed\n", r.Stdout);
        Assert.Equal("hi\n", _r.Run("run", "--rm", "snap:1", "sh", "-c", "echo $GREETING").AssertOk().Stdout);
        Assert.NotEqual(0, _r.Run("run", "--rm", "snap:1", "test", "-e", "/etc/group").ExitCode);
        Assert.Contains("my change", _r.Run("history", "--no-trunc", "snap:1").AssertOk().Stdout);
    }

    [Fact]
    public void Named_volumes_outlive_containers_and_anonymous_ones_go_with_rm_v()
    {
        Assert.Equal("vol1\n", _r.Run("volume", "create", "vol1").AssertOk().Stdout);
        _r.Run("run", "--rm", "-v", "vol1:/data", ContainerRoot.Image, "sh", "-c", "echo kept > /data/f").AssertOk();
        Assert.Equal("kept\n", _r.Run("run", "--rm", "-v", "vol1:/data:ro", ContainerRoot.Image, "cat", "/data/f").AssertOk().Stdout);
        Assert.NotEqual(0, _r.Run("run", "--rm", "-v", "vol1:/data:ro", ContainerRoot.Image, "touch", "/data/g").ExitCode);
        _r.Run("run", "--rm", "-v", "auto:/x", ContainerRoot.Image, "true").AssertOk();
        Assert.Contains("auto", _r.Run("volume", "ls", "-q").AssertOk().Stdout);
        Assert.Contains("\"Mountpoint\":", _r.Run("volume", "inspect", "vol1").AssertOk().Stdout);

        _r.Run("create", "--name", "anon", "-v", "/cache", ContainerRoot.Image, "true").AssertOk();
        var anonymous = _r.Run("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", "anon").AssertOk().Stdout.Trim();
        Assert.Equal(64, anonymous.Length);
        var inUse = _r.Run("volume", "rm", anonymous);
        Assert.Equal(1, inUse.ExitCode);
        Assert.Contains("volume is in use", inUse.Stderr);
        _r.Run("rm", "-v", "anon").AssertOk();
        Assert.DoesNotContain(anonymous, _r.Run("volume", "ls", "-q").AssertOk().Stdout);

        var host = Directory.CreateDirectory(_r.File("hostdir")).FullName;
        _r.Run("run", "--rm", "-v", host + ":/h", ContainerRoot.Image, "sh", "-c", "echo from-container > /h/x").AssertOk();
        Assert.Equal("from-container\n", File.ReadAllText(Path.Combine(host, "x")));

        Assert.Equal("vol1\n", _r.Run("volume", "rm", "vol1").AssertOk().Stdout);
        var pruned = _r.Run("volume", "prune", "-f", "-a").AssertOk().Stdout;
        Assert.Contains("auto", pruned);
        Assert.Equal("", _r.Run("volume", "ls", "-q").AssertOk().Stdout);
    }
}
