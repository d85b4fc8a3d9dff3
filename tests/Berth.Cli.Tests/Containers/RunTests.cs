using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Containers;

public class RunTests : IDisposable
{
    private readonly ContainerRoot _r = new();

    public void Dispose() => _r.Dispose();

    private RunResult Run(params string[] args) => _r.Run(["run", "--rm", "--network", "none", ContainerRoot.Image, .. args]);

    [Theory]
    [InlineData("exit 0", 0)]
    [InlineData("exit 1", 1)]
    [InlineData("exit 42", 42)]
    [InlineData("kill -9 $$", 0)] // PID 1 ignores even SIGKILL sent from inside its namespace
    public void Passes_the_exit_code_through(string script, int code)
    {
        Assert.Equal(code, Run("sh", "-c", script).ExitCode);
        _r.AssertNothingLeft();
    }

    [Fact]
    public void A_missing_command_is_127_and_a_file_that_cannot_run_is_126()
    {
        var missing = Run("no-such-command");
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("executable file not found in $PATH", missing.Stderr);
        Assert.Single(missing.Stderr.Trim().Split('\n'));
        var notExecutable = Run("/etc/passwd");
        Assert.Equal(126, notExecutable.ExitCode);
        Assert.Contains("permission denied", notExecutable.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_r.Run("ps", "-aq").Stdout);
        _r.AssertNothingLeft();
    }

    [Fact]
    public void A_missing_entrypoint_is_127_and_leaves_nothing()
    {
        var r = _r.Run("run", "--rm", "--entrypoint", "/nope", ContainerRoot.Image);
        Assert.Equal(127, r.ExitCode);
        Assert.Contains("/nope", r.Stderr);
        Assert.Empty(_r.Run("ps", "-aq").Stdout);
        _r.AssertNothingLeft();
    }

    [Fact]
    public void Is_pid_1_with_its_own_hostname_and_stdout_apart_from_stderr()
    {
        var r = _r.Run("run", "--rm", "--hostname", "box", ContainerRoot.Image, "sh", "-c", "echo $$; hostname; echo oops >&2").AssertOk();
        Assert.Equal("1\nbox\n", r.Stdout);
        Assert.Equal("oops\n", r.Stderr);
    }

    [Fact]
    public void Reads_stdin_with_i_and_not_without()
    {
        Assert.Equal("hello\n", _r.RunWithInput("hello\n", "run", "--rm", "-i", ContainerRoot.Image, "cat").AssertOk().Stdout);
        Assert.Equal("", _r.RunWithInput("hello\n", "run", "--rm", ContainerRoot.Image, "cat").AssertOk().Stdout);
    }

    [Fact]
    public void Gives_a_real_terminal_with_t()
    {
        var r = _r.Run("run", "--rm", "-t", ContainerRoot.Image, "sh", "-c", "tty; test -t 0 && test -t 1 && echo both; stty size").AssertOk();
        Assert.Contains("/dev/pts/0", r.Stdout);
        Assert.Contains("both", r.Stdout);
        Assert.Contains("\r\n", r.Stdout); // the pty's line discipline turns \n into \r\n
    }

    [Fact]
    public void Applies_env_workdir_and_user()
    {
        var env = _r.File("env.list");
        File.WriteAllText(env, "# a comment\nFROM_FILE=yes\n\nB=from-file\n");
        var r = _r.Run("run", "--rm", "-e", "A=1", "-e", "B=2", "--env-file", env, "-w", "/tmp/work", "-u", "nobody",
            ContainerRoot.Image, "sh", "-c", "echo $A $B $FROM_FILE; pwd; id -u; id -g").AssertOk();
        Assert.Equal("1 2 yes\n/tmp/work\n65534\n65534\n", r.Stdout);
        var numeric = Run("id");
        Assert.Contains("uid=0(root) gid=0(root)", numeric.AssertOk().Stdout);
        var both = _r.Run("run", "--rm", "-u", "1000:50", ContainerRoot.Image, "id").AssertOk();
        Assert.Contains("uid=1000", both.Stdout);
        Assert.Contains("gid=50", both.Stdout);
        var groups = _r.Run("run", "--rm", "-u", "appuser", ContainerRoot.Image, "id", "-G").AssertOk();
        Assert.Equal("1000 50", groups.Stdout.Trim());
    }

    [Fact]
    public void An_unknown_user_is_one_line_and_125()
    {
        var r = _r.Run("run", "--rm", "-u", "nosuchuser", ContainerRoot.Image, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("Error: unable to find user nosuchuser: no matching entries in passwd file\n", r.Stderr);
        Assert.Empty(_r.Run("ps", "-aq").Stdout);
    }

    [Fact]
    public void Bad_input_is_one_clear_line_with_the_right_exit_code_and_leaves_nothing()
    {
        // --pull never: a missing image is not looked up on a registry (tests send no traffic off this machine).
        var unknown = _r.Run("run", "--rm", "--pull", "never", "nosuchimage:1", "true");
        Assert.Equal(125, unknown.ExitCode);
        Assert.Equal("Error: No such image: nosuchimage:1\n", unknown.Stderr);

        var memory = _r.Run("run", "--rm", "--memory", "12x", ContainerRoot.Image, "true");
        Assert.Equal(125, memory.ExitCode);
        Assert.StartsWith("invalid argument \"12x\" for \"-m, --memory\" flag: invalid size: '12x'", memory.Stderr);

        var bind = _r.Run("run", "--rm", "-v", "/no/such/dir:/data", ContainerRoot.Image, "true");
        Assert.Equal(125, bind.ExitCode);
        Assert.Contains("bind source path does not exist: /no/such/dir", bind.Stderr);

        _r.Run("create", "--name", "taken", ContainerRoot.Image, "true").AssertOk();
        var taken = _r.Run("run", "--name", "taken", ContainerRoot.Image, "true");
        Assert.Equal(125, taken.ExitCode);
        Assert.Contains("The container name \"/taken\" is already in use", taken.Stderr);
        Assert.Single(_r.Run("ps", "-aq").Stdout.Trim().Split('\n'));
        _r.Run("rm", "taken").AssertOk();
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(Path.Combine(_r.Path, "containers")), p => !Path.GetFileName(p).StartsWith('.'));
        _r.AssertNothingLeft();
    }

    [Fact]
    public void Keeps_a_foreground_container_and_its_log_without_rm()
    {
        var r = _r.Run("run", "--name", "kept", ContainerRoot.Image, "sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("out\n", r.Stdout);
        var ps = _r.Run("ps", "-a", "--format", "{{.Names}} {{.Status}}").AssertOk();
        Assert.StartsWith("kept Exited (3)", ps.Stdout);
        var logs = _r.Run("logs", "kept").AssertOk();
        Assert.Equal("out\n", logs.Stdout);
        Assert.Equal("err\n", logs.Stderr);
        Assert.Equal("3", _r.Run("inspect", "-f", "{{.State.ExitCode}}", "kept").AssertOk().Stdout.Trim());
    }

    [Fact]
    public void Uses_the_image_entrypoint_and_cmd_as_docker_does()
    {
        _r.Run("create", "--name", "dflt", ContainerRoot.Image, "echo", "a", "b").AssertOk();
        var inspect = _r.Run("inspect", "-f", "{{.Path}} {{json .Args}}", "dflt").AssertOk();
        Assert.Equal("echo [\"a\",\"b\"]", inspect.Stdout.Trim());
        var ep = _r.Run("run", "--rm", "--entrypoint", "echo", ContainerRoot.Image, "x", "y").AssertOk();
        Assert.Equal("x y\n", ep.Stdout);
        var none = _r.Run("run", "--rm", ContainerRoot.Image);
        Assert.Equal(125, none.ExitCode);
        Assert.Contains("No command specified", none.Stderr);
    }
}
