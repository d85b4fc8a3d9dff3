using Berth.Cli.Tests.Containers;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Deploy;

/// <summary>compose up/ps/exec/logs/config/down, project networks and health checks, without published traffic.</summary>
public sealed class ComposeCliTests
{
    [Fact]
    public void Bad_input_is_one_clear_line_with_exit_1()
    {
        using var root = new DeployRoot();
        var yaml = root.ComposeFile("bad.yml", "services:\n  web:\n    image: [bb:1\n");
        var r = root.Compose(yaml, "bad", "config");
        Assert.Equal(1, r.ExitCode);
        Assert.Matches(@"^Error: bad\.yml:\d+:\d+: invalid YAML", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));

        var dep = root.ComposeFile("dep.yml", "services:\n  web:\n    image: bb:1\n    depends_on: [db]\n");
        r = root.Compose(dep, "dep", "up", "-d");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("dep.yml:2:3: services.web.depends_on: service web depends on the undefined service db", r.Stderr);
        Assert.Empty(root.Run("ps", "-aq").Stdout.Trim());

        var unknown = root.ComposeFile("unknown.yml", "services:\n  web:\n    image: bb:1\n    colour: blue\n");
        r = root.Compose(unknown, "unk", "config", "--services").AssertOk();
        Assert.Equal("web\n", r.Stdout);
        Assert.Contains("WARN: unknown.yml:4:5: services.web.colour: unknown key, ignored", r.Stderr);
    }

    [Fact]
    public void Health_checks_show_in_ps_and_inspect()
    {
        using var root = new DeployRoot();
        var id = root.Run("run", "-d", "--network", "none", "--health-cmd", "test -f /tmp/ok", "--health-interval", "200ms", "--health-retries", "2",
            ContainerRoot.Image, "sleep", "300").AssertOk().Stdout.Trim();
        ContainerRoot.Eventually(() => root.Run("ps", "--format", "{{.Status}}"), r => r.Stdout.Contains("(unhealthy)")).AssertOk();
        Assert.Contains("\"Status\":\"unhealthy\"", root.Run("inspect", "-f", "{{json .State.Health}}", id).Stdout);
        root.Run("exec", id, "touch", "/tmp/ok").AssertOk();
        var ps = ContainerRoot.Eventually(() => root.Run("ps", "--format", "{{.Status}}"), r => r.Stdout.Contains("(healthy)"));
        Assert.Matches(@"^Up .* \(healthy\)$", ps.Stdout.Trim());
        var health = root.Run("inspect", "-f", "{{.State.Health.Status}} {{.State.Health.FailingStreak}}", id).AssertOk().Stdout.Trim();
        Assert.Equal("healthy 0", health);
    }

    [Fact]
    public void Up_orders_by_health_then_ps_exec_logs_and_down_removes_everything()
    {
        using var root = new DeployRoot("v1");
        var file = root.ComposeFile("app.yml", """
            services:
              web:
                image: app:v1
                init: true
                deploy: { replicas: 3 }
                healthcheck: { test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/"], interval: 300ms, retries: 3 }
                volumes: ["data:/data"]
              worker:
                image: bb:1
                init: true
                command: ["sh", "-c", "echo started; wget -qO- http://127.0.0.1:1/ 2>/dev/null; sleep 300"]
                environment: { ROLE: worker }
                extra_hosts: ["ledger.internal:10.9.8.7"]
                depends_on: { web: { condition: service_healthy } }
            volumes: { data: {} }
            """);
        root.Compose(file, "shop", "up", "-d").AssertOk();
        var ps = root.Compose(file, "shop", "ps").AssertOk().Stdout;
        foreach (var n in new[] { "shop-web-1", "shop-web-2", "shop-web-3", "shop-worker-1" }) Assert.Contains(n, ps);
        // The worker started only once every web replica was healthy.
        Assert.Equal(3, ps.Split('\n').Count(l => l.Contains("shop-web-") && l.Contains("(healthy)")));
        Assert.Equal("worker\n", root.Compose(file, "shop", "exec", "-T", "worker", "sh", "-c", "echo $ROLE").AssertOk().Stdout);
        Assert.Equal("10.9.8.7\tledger.internal\n", root.Compose(file, "shop", "exec", "-T", "worker", "grep", "ledger", "/etc/hosts").AssertOk().Stdout);
        Assert.Equal("v1\n", root.Compose(file, "shop", "exec", "-T", "--index", "2", "web", "wget", "-qO-", "http://127.0.0.1:8080/").AssertOk().Stdout);
        Assert.Contains("shop-worker-1  | started", root.Compose(file, "shop", "logs", "worker").AssertOk().Stdout);
        Assert.Contains("shop_data", root.Run("volume", "ls", "-q").Stdout);
        Assert.Contains("*1", root.Run("deploy", "history", "shop-web").AssertOk().Stdout);

        // Up again with nothing changed keeps the same containers.
        var before = root.Run("ps", "-q").Stdout;
        root.Compose(file, "shop", "up", "-d").AssertOk();
        Assert.Equal(before, root.Run("ps", "-q").Stdout);

        root.Compose(file, "shop", "down", "-v").AssertOk();
        Assert.Empty(root.Run("ps", "-aq").Stdout.Trim());
        Assert.DoesNotContain("shop_data", root.Run("volume", "ls", "-q").Stdout);
        Assert.Equal(1, root.Run("deploy", "history", "shop-web").ExitCode);
        Assert.False(Directory.Exists(Path.Combine(root.Path, "deploy", "shop-web")));
        root.AssertNothingLeft();
    }

    [Fact]
    public void Services_find_each_other_by_name_on_the_networks_they_share_and_down_removes_them()
    {
        using var root = new DeployRoot("v1");
        var file = root.ComposeFile("nets.yml", """
            services:
              web:
                image: app:v1
                networks: { front: {}, back: { aliases: [site] } }
              db:
                image: app:v1
                networks: [back]
              client:
                image: bb:1
                command: ["sleep", "300"]
                networks: [front]
            networks: { front: {}, back: {} }
            """);
        root.Compose(file, "nets", "up", "-d").AssertOk();
        var nets = root.Run("network", "ls", "--format", "{{.Name}}").AssertOk().Stdout;
        Assert.Contains("nets_front", nets);
        Assert.Contains("nets_back", nets);

        // busybox 1.35's wget crashes with -T: timeout(1) bounds it instead.
        RunResult Get(string from, string url) => root.Compose(file, "nets", "exec", "-T", from, "timeout", "5", "wget", "-qO-", url);
        // web is on both networks: the client reaches it on front, db on back (by name and by the back-only alias).
        Assert.Equal("v1\n", ContainerRoot.Eventually(() => Get("client", "http://web:8080/"), r => r.ExitCode == 0).Stdout);
        Assert.Equal("v1\n", Get("db", "http://web:8080/").AssertOk().Stdout);
        Assert.Equal("v1\n", Get("db", "http://site:8080/").AssertOk().Stdout);
        // The client shares no network with db: no name, no route.
        Assert.NotEqual(0, Get("client", "http://db:8080/").ExitCode);
        Assert.NotEqual(0, Get("client", "http://site:8080/").ExitCode);

        root.Compose(file, "nets", "down").AssertOk();
        nets = root.Run("network", "ls", "--format", "{{.Name}}").AssertOk().Stdout;
        Assert.DoesNotContain("nets_", nets);
        root.AssertNothingLeft();
    }
}
