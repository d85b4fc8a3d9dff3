using System.Security.Cryptography;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Registry;

/// <summary>
/// The registry binary with the real clients: skopeo copies the shared OCI fixture in and back,
/// podman pushes and pulls, and authentication works the way those tools expect it to.
/// </summary>
public sealed class RegistryInteropTests
{
    private static string Fixture => Path.GetFullPath(Path.Combine(Repo.SharedTestData, "oci-layout-fixture"));

    private static RunResult Skopeo(params string[] args) => Shell.Run("skopeo", args);

    private static string RawDigest(string image) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Skopeo("inspect", "--raw", "--tls-verify=false", image).AssertOk().Stdout)));

    [Fact]
    public void Skopeo_copies_the_fixture_in_and_back_with_the_same_manifest_bytes_and_one_copy_of_each_blob()
    {
        using var reg = RegistryProcess.Start();
        Skopeo("copy", "-q", "--dest-tls-verify=false", $"oci:{Fixture}:layers", $"docker://{reg.Host}/a/app:1").AssertOk();
        int afterOne = reg.BlobFiles();
        Skopeo("copy", "-q", "--dest-tls-verify=false", $"oci:{Fixture}:layers", $"docker://{reg.Host}/b/app:1").AssertOk();
        Assert.Equal(afterOne, reg.BlobFiles());

        var back = reg.Temp.File("back");
        Skopeo("copy", "-q", "--src-tls-verify=false", $"docker://{reg.Host}/b/app:1", $"oci:{back}:1").AssertOk();
        Assert.Equal(RawDigest($"oci:{Fixture}:layers"), RawDigest($"oci:{back}:1"));
        Assert.Equal(RawDigest($"oci:{Fixture}:layers"), RawDigest($"docker://{reg.Host}/a/app:1"));
        var tags = Skopeo("list-tags", "--tls-verify=false", $"docker://{reg.Host}/a/app").AssertOk().Stdout;
        Assert.Contains("\"1\"", tags);
        Assert.Equal(0, reg.Stop());
    }

    [Fact]
    public void Podman_pushes_and_pulls()
    {
        using var reg = RegistryProcess.Start();
        var env = "CONTAINERS_CONF=/tmp/berth-peers/conf/containers.conf";
        var name = $"{reg.Host}/podman/app:1";
        try
        {
            Shell.Sh($"id=$({env} podman pull -q oci:{Fixture}:layers) && {env} podman tag $id {name}").AssertOk();
            Shell.Sh($"{env} podman push -q --tls-verify=false {name}").AssertOk();
            Shell.Sh($"{env} podman rmi -f {name}").AssertOk();
            Shell.Sh($"{env} podman pull -q --tls-verify=false {name}").AssertOk();
            var config = Shell.Sh($"{env} podman image inspect --format '{{{{.Config.Cmd}}}}' {name}").AssertOk().Stdout;
            Assert.False(string.IsNullOrWhiteSpace(config));
        }
        finally
        {
            Shell.Sh($"{env} podman rmi -f {name} >/dev/null 2>&1; true");
        }
    }

    [Fact]
    public void Htpasswd_basic_auth_refuses_wrong_credentials_and_serves_right_ones()
    {
        using var temp = new TempRoot();
        var htpasswd = temp.File("htpasswd");
        Shell.Run("htpasswd", "-Bbc", htpasswd, "alice", "s3cret").AssertOk();
        using var reg = RegistryProcess.Start(temp, "--htpasswd", htpasswd);
        var wrong = Skopeo("copy", "-q", "--dest-tls-verify=false", "--dest-creds", "alice:nope", $"oci:{Fixture}:busybox", $"docker://{reg.Host}/x:1");
        Assert.NotEqual(0, wrong.ExitCode);
        var anonymous = Skopeo("copy", "-q", "--dest-tls-verify=false", "--dest-no-creds", $"oci:{Fixture}:busybox", $"docker://{reg.Host}/x:1");
        Assert.NotEqual(0, anonymous.ExitCode);
        Skopeo("copy", "-q", "--dest-tls-verify=false", "--dest-creds", "alice:s3cret", $"oci:{Fixture}:busybox", $"docker://{reg.Host}/x:1").AssertOk();
    }

    [Fact]
    public void Token_auth_with_the_built_in_token_endpoint_works_for_skopeo()
    {
        using var temp = new TempRoot();
        var htpasswd = temp.File("htpasswd");
        Shell.Run("htpasswd", "-Bbc", htpasswd, "alice", "s3cret").AssertOk();
        var key = temp.File("key.pem");
        Shell.Run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key).AssertOk();
        using var reg = RegistryProcess.Start(temp, "--htpasswd", htpasswd, "--token-key", key);
        Skopeo("copy", "-q", "--dest-tls-verify=false", "--dest-creds", "alice:s3cret", $"oci:{Fixture}:layers", $"docker://{reg.Host}/t/app:1").AssertOk();
        var back = temp.File("back");
        Skopeo("copy", "-q", "--src-tls-verify=false", "--src-creds", "alice:s3cret", $"docker://{reg.Host}/t/app:1", $"oci:{back}:1").AssertOk();
        var anonymous = Skopeo("inspect", "--tls-verify=false", "--no-creds", $"docker://{reg.Host}/t/app:1");
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("denied", anonymous.Stderr + anonymous.Stdout);
    }

    [Fact]
    public void Https_with_a_self_signed_certificate()
    {
        using var temp = new TempRoot();
        var (cert, key) = (temp.File("cert.pem"), temp.File("key.pem"));
        Shell.Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert).AssertOk();
        using var reg = RegistryProcess.Start(temp, "--tls-cert", cert, "--tls-key", key);
        var certDir = temp.File("certs");
        Directory.CreateDirectory(certDir);
        File.Copy(cert, Path.Combine(certDir, "ca.crt"));
        Skopeo("copy", "-q", "--dest-cert-dir", certDir, $"oci:{Fixture}:busybox", $"docker://{reg.Host}/tls/app:1").AssertOk();
        Shell.Run("curl", "-sf", "--cacert", cert, $"https://{reg.Host}/v2/tls/app/tags/list").AssertOk();
    }
}
