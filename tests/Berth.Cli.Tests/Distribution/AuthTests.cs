using System.Text;
using System.Text.Json;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Distribution;

/// <summary>login, logout and push/pull against a CNCF registry behind htpasswd (bcrypt) basic auth.</summary>
public sealed class AuthTests : IDisposable
{
    private readonly CncfRegistry _registry = new("alice", "s3cret");
    private readonly TempRoot _root = new();
    private readonly TempRoot _other = new();
    private readonly string _dockerConfig = Directory.CreateTempSubdirectory("berth-dockercfg-").FullName;

    public void Dispose()
    {
        _registry.Dispose();
        _root.Dispose();
        _other.Dispose();
        Directory.Delete(_dockerConfig, recursive: true);
    }

    private RunResult Berth(TempRoot root, string? stdin, params string[] args) =>
        BerthBinary.RunWith(root.Path, stdin, new Dictionary<string, string> { ["DOCKER_CONFIG"] = _dockerConfig }, args);

    [Fact]
    public void LoginIsVerifiedStoredAsDockerDoesAndUsedByPushAndPull()
    {
        var d = _registry.Domain;
        Berth(_root, null, "import", BusyboxRootfs.Tar, $"{d}/secret/app:1").AssertOk();

        var denied = Berth(_root, null, "push", $"{d}/secret/app:1");
        Assert.Equal(1, denied.ExitCode);
        Assert.Equal($"Error: push {d}/secret/app:1: registry {d}: unauthorized: authentication required; run `berth login {d}`", denied.Stderr.TrimEnd('\n'));

        var wrong = Berth(_root, "nope\n", "login", "-u", "alice", "--password-stdin", d);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains($"login {d}: registry {d}: unauthorized: incorrect username or password", wrong.Stderr);
        Assert.False(File.Exists(Path.Combine(_dockerConfig, "config.json")));

        var login = Berth(_root, "s3cret\n", "login", "-u", "alice", "--password-stdin", d).AssertOk();
        Assert.Contains("Login Succeeded", login.Stdout);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dockerConfig, "config.json"))))
        {
            var auth = doc.RootElement.GetProperty("auths").GetProperty(d).GetProperty("auth").GetString()!;
            Assert.Equal("alice:s3cret", Encoding.UTF8.GetString(Convert.FromBase64String(auth)));
        }

        Berth(_root, null, "push", $"{d}/secret/app:1").AssertOk();
        Berth(_other, null, "pull", $"{d}/secret/app:1").AssertOk();

        Assert.Contains($"Removing login credentials for {d}", Berth(_root, null, "logout", d).AssertOk().Stdout);
        Assert.Contains($"Not logged in to {d}", Berth(_root, null, "logout", d).AssertOk().Stdout);
        var after = Berth(_other, null, "pull", $"{d}/secret/app:1");
        Assert.Equal(1, after.ExitCode);
    }

    [Fact]
    public void DockerReadsBerthsLoginAndBerthReadsDockers()
    {
        if (!Shell.Has("docker")) return;
        var d = _registry.Domain;
        var env = $"DOCKER_CONFIG={_dockerConfig}";
        // docker writes the login; berth uses it
        var dockerLogin = Shell.Sh($"echo s3cret | {env} docker login -u alice --password-stdin {d}");
        if (dockerLogin.ExitCode != 0) return; // no docker daemon here
        Berth(_root, null, "import", BusyboxRootfs.Tar, $"{d}/shared:1").AssertOk();
        Berth(_root, null, "push", $"{d}/shared:1").AssertOk();
        // berth writes the login; docker uses it
        Shell.Sh($"{env} docker logout {d}").AssertOk();
        Berth(_root, "s3cret", "login", "-u", "alice", "--password-stdin", d).AssertOk();
        var pulled = Shell.Sh($"{env} docker pull -q {d}/shared:1");
        Shell.Sh($"docker rmi -f {d}/shared:1");
        pulled.AssertOk();
    }
}
