using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Containers;

public class LifecycleTests : IDisposable
{
    private readonly ContainerRoot _r = new();

    public void Dispose() => _r.Dispose();

    [Fact]
    public void Detached_logs_survive_the_cli_and_the_state_is_seen_by_new_commands()
    {
        var id = _r.Detached("--name", "talker", ContainerRoot.Image, "sh", "-c", "echo to-out; echo to-err >&2; sleep 3600");
        Assert.Equal(64, id.Length);
        var logs = ContainerRoot.Eventually(() => _r.Run("logs", "talker"), r => r.Stdout.Contains("to-out") && r.Stderr.Contains("to-err"));
        Assert.Equal("to-out\n", logs.Stdout);
        Assert.Equal("to-err\n", logs.Stderr);
        var json = File.ReadAllLines(Path.Combine(_r.Path, "containers", id, id + "-json.log"));
        Assert.Contains(json, l => l.StartsWith("{\"log\":\"to-out\\n\",\"stream\":\"stdout\",\"time\":\"", StringComparison.Ordinal));
        var timestamps = _r.Run("logs", "-t", "talker").AssertOk();
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z to-out\n$", timestamps.Stdout);
        var last = _r.Run("logs", "--tail", "1", "talker").AssertOk();
        Assert.Single((last.Stdout + last.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var ps = _r.Run("ps", "--format", "{{.ID}} {{.Names}} {{.State}}").AssertOk();
        Assert.Equal($"{id[..12]} talker running\n", ps.Stdout);
        Assert.Equal("running", _r.Run("inspect", "-f", "{{.State.Status}}", id[..8]).AssertOk().Stdout.Trim());
    }

    [Fact]
    public void Exec_sees_the_containers_processes_and_files()
    {
        var id = _r.Detached(ContainerRoot.Image, "sh", "-c", "echo hi > /tmp/marker; sleep 3600");
        ContainerRoot.Eventually(() => _r.Run("exec", id, "cat", "/tmp/marker"), r => r.ExitCode == 0);
        var r = _r.Run("exec", "-e", "X=1", "-w", "/tmp", id, "sh", "-c", "echo $X $(pwd) $(cat marker); ps | grep -c '[s]leep 3600'; echo $$").AssertOk();
        Assert.Equal("1 /tmp hi\n1\n", string.Join('\n', r.Stdout.Split('\n').Take(2)) + "\n");
        Assert.NotEqual("1", r.Stdout.Split('\n')[2]);
        Assert.Equal(42, _r.Run("exec", id, "sh", "-c", "exit 42").ExitCode);
        Assert.Equal(127, _r.Run("exec", id, "nope").ExitCode);
        Assert.Equal("65534\n", _r.Run("exec", "-u", "nobody", id, "id", "-u").AssertOk().Stdout);
        Assert.Equal("in\n", _r.RunWithInput("in\n", "exec", "-i", id, "cat").AssertOk().Stdout);
        var top = _r.Run("top", id).AssertOk();
        Assert.Contains("sleep 3600", top.Stdout);
    }

    [Fact]
    public void Stop_kills_a_process_that_ignores_sigterm_within_the_timeout()
    {
        var id = _r.Detached(ContainerRoot.Image, "sh", "-c", "trap '' TERM; echo ready; while true; do sleep 1; done");
        ContainerRoot.Eventually(() => _r.Run("logs", id), r => r.Stdout.Contains("ready"));
        var stop = _r.Run("stop", "-t", "1", id).AssertOk();
        Assert.Equal(id + "\n", stop.Stdout);
        Assert.Equal("exited 137", _r.Run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id).AssertOk().Stdout.Trim());
        _r.AssertNothingLeft();
    }

    [Fact]
    public void An_init_forwards_sigterm_so_stop_is_quick()
    {
        var id = _r.Detached("--init", ContainerRoot.Image, "sleep", "3600");
        _r.Run("stop", "-t", "30", id).AssertOk();
        Assert.Equal("143", _r.Run("inspect", "-f", "{{.State.ExitCode}}", id).AssertOk().Stdout.Trim());
    }

    [Fact]
    public void Kill_start_restart_wait_rename_and_rm()
    {
        var id = _r.Detached("--name", "one", ContainerRoot.Image, "sleep", "3600");
        _r.Run("kill", "-s", "KILL", "one").AssertOk();
        Assert.Equal("137\n", _r.Run("wait", "one").AssertOk().Stdout);
        _r.Run("start", "one").AssertOk();
        Assert.Equal("running", _r.Run("inspect", "-f", "{{.State.Status}}", "one").AssertOk().Stdout.Trim());
        _r.Run("restart", "-t", "0", "one").AssertOk();
        Assert.Equal("running", _r.Run("inspect", "-f", "{{.State.Status}}", "one").AssertOk().Stdout.Trim());
        _r.Run("rename", "one", "two").AssertOk();
        var refused = _r.Run("rm", "two");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("stop the container before removing or force remove", refused.Stderr);
        Assert.Equal("two\n", _r.Run("rm", "-f", "two").AssertOk().Stdout);
        var gone = _r.Run("inspect", id);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("No such object", gone.Stderr);
        _r.AssertNothingLeft();
    }

    [Fact]
    public void Start_attach_prints_the_output_and_returns_the_exit_code()
    {
        _r.Run("create", "--name", "later", ContainerRoot.Image, "sh", "-c", "echo first; echo second >&2; exit 5").AssertOk();
        var r = _r.Run("start", "-a", "later");
        Assert.Equal(5, r.ExitCode);
        Assert.Equal("first\n", r.Stdout);
        Assert.Equal("second\n", r.Stderr);
    }

    [Fact]
    public void A_restart_policy_brings_a_failing_container_back()
    {
        var id = _r.Detached("--restart", "on-failure:2", ContainerRoot.Image, "sh", "-c", "echo try; exit 1");
        var r = ContainerRoot.Eventually(() => _r.Run("inspect", "-f", "{{.State.Status}} {{.RestartCount}}", id), x => x.Stdout.Trim() == "exited 2");
        Assert.Equal("exited 2", r.Stdout.Trim());
        Assert.Equal(3, _r.Run("logs", id).AssertOk().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Ps_filters_and_formats()
    {
        _r.Detached("--name", "web", "--label", "tier=front", ContainerRoot.Image, "sleep", "3600");
        _r.Run("run", "--name", "job", "--label", "tier=back", ContainerRoot.Image, "sh", "-c", "exit 2");
        Assert.Equal("web\n", _r.Run("ps", "--format", "{{.Names}}").AssertOk().Stdout);
        Assert.Equal("job\nweb\n", _r.Run("ps", "-a", "--format", "{{.Names}}").AssertOk().Stdout);
        Assert.Equal("job\n", _r.Run("ps", "-a", "--filter", "exited=2", "--format", "{{.Names}}").AssertOk().Stdout);
        Assert.Equal("web\n", _r.Run("ps", "-a", "--filter", "label=tier=front", "--format", "{{.Names}}").AssertOk().Stdout);
        Assert.Equal("job\n", _r.Run("ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}").AssertOk().Stdout);
        Assert.Equal("job\n", _r.Run("ps", "-n", "1", "--format", "{{.Names}}").AssertOk().Stdout);
        var json = _r.Run("ps", "--format", "json").AssertOk().Stdout;
        Assert.Contains("\"Names\":\"web\"", json);
        Assert.Contains("\"State\":\"running\"", json);
        var table = _r.Run("ps").AssertOk().Stdout.Split('\n');
        Assert.Matches("^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$", table[0]);
        Assert.Contains("\"sleep 3600\"", table[1]);
        Assert.Contains("Up ", table[1]);
        Assert.Equal(2, _r.Run("ps", "-aq").AssertOk().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var pruned = _r.Run("container", "prune", "-f").AssertOk().Stdout;
        Assert.StartsWith("Deleted Containers:\n", pruned);
        Assert.Equal("web\n", _r.Run("container", "ls", "-a", "--format", "{{.Names}}").AssertOk().Stdout);
    }

    [Fact]
    public void A_killed_monitor_is_noticed_and_cleaned_up()
    {
        var id = _r.Detached(ContainerRoot.Image, "sleep", "3600");
        var monitor = ContainerRoot.ProcessesUsing(_r.Path).Single(pid => File.ReadAllText($"/proc/{pid}/cmdline").Contains("__berth-monitor"));
        Shell.Run("kill", "-9", monitor.ToString()).AssertOk();
        WaitGone(monitor);
        // Several commands notice the dead monitor at once: one of them records the exit and the die event.
        var seen = Enumerable.Range(0, 6).AsParallel().WithDegreeOfParallelism(6)
            .Select(_ => _r.Run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id).AssertOk().Stdout.Trim()).ToList();
        Assert.All(seen, s => Assert.Equal("exited 137", s)); // the payload outlived its monitor and was killed
        var dies = _r.Run("events", "--since", "1m", "--until", "0s", "--filter", "container=" + id, "--filter", "event=die").AssertOk().Stdout;
        Assert.Single(dies.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        _r.AssertNothingLeft();
    }

    private static void WaitGone(int pid)
    {
        for (int i = 0; i < 500 && Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z"); i++) Thread.Sleep(10);
    }
}
