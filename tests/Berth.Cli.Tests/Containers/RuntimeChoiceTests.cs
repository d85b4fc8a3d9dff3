using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Containers;

public class RuntimeChoiceTests : IDisposable
{
    private readonly ContainerRoot _r = new();

    public void Dispose() => _r.Dispose();

    [Fact]
    public void Crun_runs_the_same_container_with_the_same_result()
    {
        if (!Shell.Has("crun")) return; // Debian's crun package (.ci/run installs it)
        const string script = "echo $$ $(hostname) $(id -u); ls /dev | wc -l; grep -c . /etc/passwd; echo err >&2; exit 7";
        var builtin = _r.Run("run", "--rm", "--hostname", "same", ContainerRoot.Image, "sh", "-c", script);
        var crun = _r.Run("run", "--rm", "--runtime", "crun", "--hostname", "same", ContainerRoot.Image, "sh", "-c", script);
        Assert.Equal(7, builtin.ExitCode);
        Assert.Equal((builtin.ExitCode, builtin.Stdout, builtin.Stderr), (crun.ExitCode, crun.Stdout, crun.Stderr));
        _r.AssertNothingLeft();
    }

    [Fact]
    public void A_detached_crun_container_logs_execs_and_stops()
    {
        if (!Shell.Has("crun")) return;
        var id = _r.Detached("--runtime", "crun", ContainerRoot.Image, "sh", "-c", "echo up; sleep 3600");
        ContainerRoot.Eventually(() => _r.Run("logs", id), r => r.Stdout.Contains("up"));
        Assert.Equal("hi\n", _r.Run("exec", id, "echo", "hi").AssertOk().Stdout);
        _r.Run("stop", "-t", "1", id).AssertOk();
        Assert.Equal("exited", _r.Run("inspect", "-f", "{{.State.Status}}", id).AssertOk().Stdout.Trim());
        _r.Run("rm", id).AssertOk();
        _r.AssertNothingLeft();
    }

    [Fact]
    public void Stats_and_exec_with_a_terminal()
    {
        var id = _r.Detached("--name", "statme", "--memory", "64m", ContainerRoot.Image, "sleep", "3600");
        var stats = _r.Run("stats", "--no-stream").AssertOk().Stdout.Split('\n');
        Assert.Matches("^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$", stats[0]);
        Assert.Contains("statme", stats[1]);
        Assert.Contains("/ 64MiB", stats[1]);
        var tty = _r.Run("exec", "-t", id, "tty").AssertOk();
        Assert.Equal("/dev/pts/0\r\n", tty.Stdout);
        var json = _r.Run("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}").AssertOk();
        Assert.Equal("statme 1\n", json.Stdout);
    }
}
