using Berth.Cli.Tests.Infrastructure;
using Berth.Cli.Tests.Registry;

namespace Berth.Cli.Tests.Distribution;

/// <summary>berth push and pull against Berth's own registry: token auth from its /token endpoint, and HTTPS.</summary>
public sealed class BerthRegistryTests : IDisposable
{
    private readonly TempRoot _source = new();
    private readonly TempRoot _target = new();
    private readonly string _dockerConfig = Directory.CreateTempSubdirectory("berth-dockercfg-").FullName;

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
        Directory.Delete(_dockerConfig, recursive: true);
    }

    private RunResult Berth(TempRoot root, string? stdin, params string[] args) =>
        BerthBinary.RunWith(root.Path, stdin, new Dictionary<string, string> { ["DOCKER_CONFIG"] = _dockerConfig }, args);

    private string Id(TempRoot root, string reference) => Berth(root, null, "images", "-q", "--no-trunc", reference).AssertOk().Stdout.Trim();

    [Fact]
    public void TokenAuthFromTheRegistrysOwnTokenEndpoint()
    {
        using var temp = new TempRoot();
        var htpasswd = temp.File("htpasswd");
        Shell.Run("htpasswd", "-Bbc", htpasswd, "alice", "s3cret").AssertOk();
        var key = temp.File("key.pem");
        Shell.Run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key).AssertOk();
        using var reg = RegistryProcess.Start(temp, "--htpasswd", htpasswd, "--token-key", key);
        var d = reg.Host;

        Berth(_source, null, "load", "-i", Path.Combine(Repo.SharedTestData, "docker-save-fixture.tar")).AssertOk();
        Berth(_source, null, "tag", "localbase:1", $"{d}/t/base:1").AssertOk();
        Berth(_source, null, "tag", "fixture/layers:1", $"{d}/t/app:1").AssertOk();

        var anonymous = Berth(_source, null, "push", $"{d}/t/base:1");
        Assert.Equal(1, anonymous.ExitCode);
        Assert.StartsWith($"Error: push {d}/t/base:1: ", anonymous.Stderr);
        Assert.Single(anonymous.Stderr.TrimEnd('\n').Split('\n'));

        var wrong = Berth(_source, "nope", "login", "-u", "alice", "--password-stdin", d);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("incorrect username or password", wrong.Stderr);

        Berth(_source, "s3cret", "login", "-u", "alice", "--password-stdin", d).AssertOk();
        Berth(_source, null, "push", $"{d}/t/base:1").AssertOk();
        var child = Berth(_source, null, "push", $"{d}/t/app:1").AssertOk();
        Assert.Contains("Mounted from t/base", child.Stdout);

        Berth(_target, null, "pull", $"{d}/t/app:1").AssertOk();
        Assert.Equal(Id(_source, $"{d}/t/app:1"), Id(_target, $"{d}/t/app:1"));
    }

    [Fact]
    public void HttpsWithASelfSignedCertificateOnLoopback()
    {
        using var temp = new TempRoot();
        var (cert, key) = (temp.File("cert.pem"), temp.File("key.pem"));
        Shell.Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert).AssertOk();
        using var reg = RegistryProcess.Start(temp, "--tls-cert", cert, "--tls-key", key);

        // loopback: plain HTTP gets "400", then HTTPS without certificate checks, as docker allows for loopback
        var d = reg.Host;
        Berth(_source, null, "import", BusyboxRootfs.Tar, $"{d}/tls/app:1").AssertOk();
        Berth(_source, null, "push", $"{d}/tls/app:1").AssertOk();
        Berth(_target, null, "pull", $"{d}/tls/app:1").AssertOk();
        Assert.Equal(Id(_source, $"{d}/tls/app:1"), Id(_target, $"{d}/tls/app:1"));
    }
}
