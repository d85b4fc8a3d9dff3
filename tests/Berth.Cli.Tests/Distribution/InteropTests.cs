using System.Text.Json;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Distribution;

/// <summary>Images berth pushes run under podman and docker; images skopeo pushes are pulled by berth.</summary>
public sealed class InteropTests : IDisposable
{
    private const string PodmanConf = "CONTAINERS_CONF=/tmp/berth-peers/conf/containers.conf";
    private readonly CncfRegistry _registry = new();
    private readonly TempRoot _root = new();

    public void Dispose()
    {
        _registry.Dispose();
        _root.Dispose();
    }

    private void PushFixture(string reference)
    {
        _root.Run("load", "-i", Path.Combine(Repo.SharedTestData, "docker-save-fixture.tar")).AssertOk();
        _root.Run("tag", "fixture/layers:1", reference).AssertOk();
        _root.Run("push", reference).AssertOk();
    }

    [Fact]
    public void PodmanPullsAndRunsWhatBerthPushed()
    {
        if (!Shell.Has("podman")) return;
        var image = $"{_registry.Domain}/interop/podman:1";
        PushFixture(image);
        var run = Shell.Sh($"{PodmanConf} podman run --rm --network none --tls-verify=false {image}");
        Shell.Sh($"{PodmanConf} podman rmi -f {image}");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("hello from a docker-built fixture", run.Stdout);
    }

    [Fact]
    public void DockerPullsAndRunsWhatBerthPushed()
    {
        if (!Shell.Has("docker") || Shell.Sh("docker info").ExitCode != 0) return;
        var image = $"{_registry.Domain}/interop/docker:1";
        PushFixture(image);
        var run = Shell.Sh($"docker run --rm --network none {image}");
        Shell.Sh($"docker rmi -f {image}");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("hello from a docker-built fixture", run.Stdout);
    }

    [Fact]
    public void BerthPullsWhatSkopeoPushed()
    {
        var layout = Path.Combine(Repo.SharedTestData, "oci-layout-fixture");
        var image = $"{_registry.Domain}/interop/skopeo:1";
        Shell.Run("skopeo", "copy", "--dest-tls-verify=false", $"oci:{layout}:layers", $"docker://{image}").AssertOk();
        _root.Run("pull", image).AssertOk();
        var id = _root.Run("images", "-q", "--no-trunc", image).AssertOk().Stdout.Trim();

        // the same image loaded from the layout directly has the same ID
        using var loaded = new TempRoot();
        loaded.Run("load", "-i", layout).AssertOk();
        Assert.Equal(loaded.Run("images", "-q", "--no-trunc", "layers").AssertOk().Stdout.Trim(), id);
        var config = _root.Run("image", "inspect", "-f", "{{json .Config.Cmd}}", image).AssertOk().Stdout;
        Assert.Contains("/app/hello.txt", config);
    }
}
