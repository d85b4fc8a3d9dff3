namespace Berth.Cli.Tests.Deploy;

/// <summary>Rollouts and rollbacks by revision: the replicas that run, the history, and what a failed rollout leaves.</summary>
public sealed class RolloutTests
{
    private const string Service = """
        services:
          web:
            image: app:v1
            init: true
            deploy: { replicas: 2 }
            healthcheck: { test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/"], interval: 300ms, retries: 2 }
        """;

    [Fact]
    public void Deploy_then_rollback_to_previous_and_to_an_older_revision()
    {
        using var root = new DeployRoot("v1", "v2", "v3");
        var file = root.ComposeFile("c.yml", Service);
        root.Compose(file, "rb", "up", "-d").AssertOk();
        Assert.All(root.Replicas("rb", "web"), r => Assert.Equal(("app:v1", "1"), (r.Image, r.Revision)));

        Assert.Contains("revision 2 deployed", root.Run("deploy", "web", "app:v2").AssertOk().Stdout);
        Assert.All(root.Replicas("rb", "web"), r => Assert.Equal(("app:v2", "2"), (r.Image, r.Revision)));
        Assert.Equal(2, root.Replicas("rb", "web").Count);
        root.Run("deploy", "--max-surge", "2", "rb-web", "app:v3").AssertOk();
        Assert.All(root.Replicas("rb", "web"), r => Assert.Equal("app:v3", r.Image));

        // Previous: revision 2 (v2) again, as revision 4.
        Assert.Contains("revision 4 deployed", root.Run("rollback", "web").AssertOk().Stdout);
        Assert.All(root.Replicas("rb", "web"), r => Assert.Equal(("app:v2", "4"), (r.Image, r.Revision)));
        // An older one, chosen: revision 1 (v1), though its tag now names another image (no registry, no rebuild: by image ID).
        root.Run("tag", "app:v3", "app:v1").AssertOk();
        root.Run("rollback", "--to", "1", "rb-web").AssertOk();
        var replicas = root.Replicas("rb", "web");
        Assert.Equal(2, replicas.Count);
        Assert.All(replicas, r => Assert.Equal("5", r.Revision));
        Assert.Equal("v1\n", root.Compose(file, "rb", "exec", "-T", "web", "wget", "-qO-", "http://127.0.0.1:8080/").AssertOk().Stdout);

        var history = root.Run("deploy", "history", "web").AssertOk().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, history.Length);
        Assert.Contains("rollback to 1", history[5]);
        Assert.StartsWith("*5", history[5]);
    }

    [Fact]
    public void A_new_version_that_never_gets_healthy_leaves_the_old_one_running()
    {
        using var root = new DeployRoot("v1", "bad");
        var file = root.ComposeFile("c.yml", Service);
        root.Compose(file, "fail", "up", "-d").AssertOk();
        var before = root.Replicas("fail", "web");

        var r = root.Run("deploy", "--timeout", "20s", "web", "app:bad");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("rollout of fail-web to app:bad failed: fail-web-3 is unhealthy", r.Stderr);
        Assert.Contains("web still runs revision 1 (app:v1)", r.Stderr);
        Assert.Equal(before, root.Replicas("fail", "web"));
        Assert.Empty(root.Run("ps", "-aq", "--filter", "ancestor=app:bad").Stdout.Trim());
        Assert.Contains("failed", root.Run("deploy", "history", "web").Stdout);

        // Bad input: an image that does not exist, a rollback with nothing before it.
        r = root.Run("deploy", "web", "nope:1");
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Contains("nope:1", r.Stderr);
        r = root.Run("rollback", "web");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error: service fail-web has no previous revision to roll back to (it runs revision 1)\n", r.Stderr);
        Assert.Equal(before, root.Replicas("fail", "web"));
    }

    [Fact]
    public void Compose_up_with_a_changed_image_rolls_out()
    {
        using var root = new DeployRoot("v1", "v2");
        var file = root.ComposeFile("c.yml", Service);
        root.Compose(file, "cu", "up", "-d").AssertOk();
        File.WriteAllText(file, Service.Replace("app:v1", "app:v2").Replace("replicas: 2", "replicas: 3"));
        root.Compose(file, "cu", "up", "-d").AssertOk();
        var replicas = root.Replicas("cu", "web");
        Assert.Equal(3, replicas.Count);
        Assert.All(replicas, r => Assert.Equal(("app:v2", "2"), (r.Image, r.Revision)));
    }
}
