using Berth.Engine.Runtime.Cgroups;

namespace Berth.Engine.Tests.Runtime;

public class BuiltinRuntimeTests
{
    [Fact]
    public void Runs_as_pid_1_with_its_own_hostname()
    {
        using var b = new TestBundle();
        var r = b.Run(b.Spec("sh", "-c", "echo $$; hostname; echo err >&2"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("1\nbundle\n", r.Stdout);
        Assert.Equal("err\n", r.Stderr);
    }

    [Theory]
    [InlineData("exit 0", 0)]
    [InlineData("exit 1", 1)]
    [InlineData("exit 42", 42)]
    [InlineData("kill -9 $$; sleep 1", 0)] // PID 1 cannot be killed from inside its namespace
    public void Passes_the_exit_code_through(string script, int expected)
    {
        using var b = new TestBundle();
        Assert.Equal(expected, b.Run(b.Spec("sh", "-c", script)).ExitCode);
    }

    [Fact]
    public void Reports_127_for_a_missing_command_and_126_for_a_file_that_cannot_run()
    {
        using var b = new TestBundle();
        var missing = b.Run(b.Spec("no-such-command"));
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("executable file not found in $PATH", missing.Stderr);
        var notExecutable = b.Run(b.Spec("/etc/passwd"));
        Assert.Equal(126, notExecutable.ExitCode);
    }

    [Fact]
    public void Applies_docker_default_capabilities_and_no_new_privs()
    {
        using var b = new TestBundle();
        var r = b.Run(b.Spec("sh", "-c", "grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("CapEff:\t00000000a80425fb", r.Stdout);
        Assert.Contains("CapBnd:\t00000000a80425fb", r.Stdout);
        Assert.Contains("NoNewPrivs:\t1", r.Stdout);
    }

    [Fact]
    public void Masks_and_write_protects_proc_paths_and_sys()
    {
        using var b = new TestBundle();
        var r = b.Run(b.Spec("sh", "-c", "touch /proc/sys/kernel/x 2>/dev/null && echo sys-writable; touch /sys/x 2>/dev/null && echo sysfs-writable; ls /proc/acpi 2>/dev/null | wc -l; cat /proc/timer_list | wc -c"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("0\n0\n", r.Stdout);
    }

    [Fact]
    public void Makes_a_minimal_dev()
    {
        using var b = new TestBundle();
        var r = b.Run(b.Spec("sh", "-c", "ls /dev | tr '\\n' ' '; echo; ls -l /dev/null | cut -c1-10; readlink /dev/ptmx; readlink /dev/fd"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero \ncrw-rw-rw-\npts/ptmx\n/proc/self/fd\n", r.Stdout);
    }

    [Fact]
    public void Init_forwards_signals_and_reaps()
    {
        using var b = new TestBundle();
        // With --init the payload is PID 2 and dies of a SIGTERM sent to PID 1.
        var r = b.Run(b.Spec("sh", "-c", "echo $$; sleep 5 & kill -TERM 1; wait"), init: true);
        Assert.Equal("2\n", r.Stdout);
        Assert.Equal(143, r.ExitCode);
    }

    [Fact]
    public void Joins_its_cgroup_and_leaves_none_behind()
    {
        using var b = new TestBundle();
        var spec = b.Spec("sh", "-c", "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null; grep -c berth /proc/self/cgroup");
        spec = spec with { Linux = spec.Linux! with { Resources = spec.Linux.Resources! with { Pids = new() { Limit = 17 } } } };
        var r = b.Run(spec);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.False(CgroupDrivers.Host.Open("berth/" + b.Id).Exists);
    }
}
