namespace Berth.Cli.Tests.Containers;

public class LimitsTests : IDisposable
{
    private readonly ContainerRoot _r = new();

    public void Dispose() => _r.Dispose();

    [Fact]
    public void A_memory_limit_oom_kills_with_137_and_OOMKilled()
    {
        var r = _r.Run("run", "--name", "oom", "--memory", "32m", ContainerRoot.Image, "sh", "-c", "head -c 200m /dev/zero | tail > /dev/null");
        Assert.Equal(137, r.ExitCode);
        Assert.Equal("true 137", _r.Run("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}}", "oom").AssertOk().Stdout.Trim());
        _r.Run("rm", "oom").AssertOk();
        _r.AssertNothingLeft();
    }

    [Fact]
    public void A_pids_limit_stops_a_fork_bomb()
    {
        // Without a limit this loop never ends; with one, a fork fails and busybox sh gives up (status 2).
        var r = _r.Run("run", "--rm", "--pids-limit", "10", ContainerRoot.Image, "sh", "-c", "while true; do sleep 3600 & done");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("can't fork", r.Stderr);
        _r.AssertNothingLeft();
    }

    [Fact]
    public void A_read_only_rootfs_refuses_writes_but_tmpfs_and_dev_shm_take_them()
    {
        var r = _r.Run("run", "--rm", "--read-only", "--tmpfs", "/scratch", ContainerRoot.Image, "sh", "-c",
            "touch /x 2>/dev/null && echo root-writable; touch /scratch/x && echo tmpfs-ok; touch /dev/shm/x && echo shm-ok").AssertOk();
        Assert.Equal("tmpfs-ok\nshm-ok\n", r.Stdout);
    }

    [Fact]
    public void Dropped_capabilities_deny_mknod_until_added_back()
    {
        var denied = _r.Run("run", "--rm", "--cap-drop", "ALL", ContainerRoot.Image, "mknod", "/tmp/null", "c", "1", "3");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("Operation not permitted", denied.Stderr);
        _r.Run("run", "--rm", "--cap-drop", "ALL", "--cap-add", "MKNOD", ContainerRoot.Image, "mknod", "/tmp/null", "c", "1", "3").AssertOk();
        var dropOne = _r.Run("run", "--rm", "--cap-drop", "mknod", ContainerRoot.Image, "mknod", "/tmp/null", "c", "1", "3");
        Assert.NotEqual(0, dropOne.ExitCode);
        var caps = _r.Run("run", "--rm", "--cap-drop", "ALL", "--cap-add", "CAP_CHOWN", ContainerRoot.Image, "grep", "CapEff", "/proc/self/status").AssertOk();
        Assert.Contains("0000000000000001", caps.Stdout);
    }

    [Fact]
    public void Privileged_gets_every_capability_and_no_masked_paths()
    {
        var r = _r.Run("run", "--rm", "--privileged", ContainerRoot.Image, "sh", "-c", "grep CapEff /proc/self/status; grep -c ' /proc/acpi ' /proc/mounts; true").AssertOk();
        Assert.DoesNotContain("00000000a80425fb", r.Stdout);
        Assert.EndsWith("0\n", r.Stdout);
    }

    [Fact]
    public void Cpu_and_memory_limits_reach_the_cgroup()
    {
        var id = _r.Detached("--memory", "64m", "--cpus", "0.5", "--pids-limit", "33", ContainerRoot.Image, "sleep", "3600");
        Assert.Equal("67108864", File.ReadAllText($"/sys/fs/cgroup/memory/berth/{id}/memory.limit_in_bytes").Trim());
        Assert.Equal("50000", File.ReadAllText($"/sys/fs/cgroup/cpu/berth/{id}/cpu.cfs_quota_us").Trim());
        Assert.Equal("33", File.ReadAllText($"/sys/fs/cgroup/pids/berth/{id}/pids.max").Trim());
        _r.Run("rm", "-f", id).AssertOk();
        _r.AssertNothingLeft();
    }
}
