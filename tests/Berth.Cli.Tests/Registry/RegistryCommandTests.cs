using System.Net;
using System.Security.Cryptography;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Registry;

/// <summary><c>berth registry gc</c>, the config file, and stopping the server.</summary>
public sealed class RegistryCommandTests
{
    private static string Fixture => Path.GetFullPath(Path.Combine(Repo.SharedTestData, "oci-layout-fixture"));

    [Fact]
    public async Task Gc_removes_unreferenced_blobs_while_the_server_runs_and_keeps_images_pullable()
    {
        using var reg = RegistryProcess.Start();
        Shell.Run("skopeo", "copy", "-q", "--dest-tls-verify=false", $"oci:{Fixture}:layers", $"docker://{reg.Host}/a/app:1").AssertOk();
        var orphan = RandomNumberGenerator.GetBytes(4096);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(orphan));
        using (var http = new HttpClient())
        using (var resp = await http.PostAsync($"http://{reg.Host}/v2/a/app/blobs/uploads/?digest={digest}", new ByteArrayContent(orphan)))
            Assert.Equal(HttpStatusCode.Created, resp.StatusCode);
        int before = reg.BlobFiles();

        var kept = BerthBinary.Run(reg.Temp.Path, "registry", "gc", "--root", reg.DataRoot).AssertOk();
        Assert.Contains("deleted 0 blobs", kept.Stdout); // the grace period protects what was just pushed

        var dry = BerthBinary.Run(reg.Temp.Path, "registry", "gc", "--root", reg.DataRoot, "--grace", "0s", "--dry-run").AssertOk();
        Assert.Contains($"would delete blob {digest}", dry.Stdout);
        Assert.Equal(before, reg.BlobFiles());

        var real = BerthBinary.Run(reg.Temp.Path, "registry", "gc", "--root", reg.DataRoot, "--grace", "0s").AssertOk();
        Assert.Contains("deleted 1 blobs", real.Stdout);
        Assert.Equal(before - 1, reg.BlobFiles());
        Shell.Run("skopeo", "copy", "-q", "--src-tls-verify=false", $"docker://{reg.Host}/a/app:1", $"oci:{reg.Temp.File("back")}:1").AssertOk();
    }

    [Fact]
    public void Gc_of_a_directory_that_is_no_registry_fails_with_a_hint()
    {
        using var temp = new TempRoot();
        var r = BerthBinary.Run(temp.Path, "registry", "gc", "--root", temp.File("nothing"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not a registry root", r.Stderr);
    }

    [Fact]
    public void Config_file_sets_what_the_flags_set()
    {
        using var temp = new TempRoot();
        var config = temp.File("registry.json");
        File.WriteAllText(config, $$"""{ "read-only": true, "max-manifest-size": "1m", "access-log": "off" }""");
        using var reg = RegistryProcess.Start(temp, "--config", config);
        var push = Shell.Run("skopeo", "copy", "-q", "--dest-tls-verify=false", $"oci:{Fixture}:busybox", $"docker://{reg.Host}/ro:1");
        Assert.NotEqual(0, push.ExitCode);
        Assert.Equal(0, reg.Stop());

        File.WriteAllText(config, """{ "no-such-key": 1 }""");
        var bad = BerthBinary.Run(temp.Path, "registry", "serve", "--config", config);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("invalid config", bad.Stderr);
    }

    [Fact]
    public void Bad_flags_fail_with_one_line_errors()
    {
        using var temp = new TempRoot();
        var r = BerthBinary.Run(temp.Path, "registry", "serve", "--addr", "nowhere");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("invalid --addr", r.Stderr);
        var tls = BerthBinary.Run(temp.Path, "registry", "serve", "--tls-cert", "/nonexistent");
        Assert.Equal(1, tls.ExitCode);
        Assert.Contains("--tls-key", tls.Stderr);
    }
}
