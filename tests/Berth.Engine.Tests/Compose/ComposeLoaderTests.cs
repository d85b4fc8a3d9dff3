using Berth.Engine;
using Berth.Engine.Compose;

namespace Berth.Engine.Tests.Compose;

public sealed class ComposeLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-compose-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ComposeProject Load(string yaml, Dictionary<string, string>? env = null, string? project = null, params (string Name, string Text)[] more)
    {
        File.WriteAllText(Path.Combine(_dir, "compose.yaml"), yaml);
        foreach (var (n, t) in more) File.WriteAllText(Path.Combine(_dir, n), t);
        return ComposeLoader.Load(new ComposeLoadOptions { WorkingDir = _dir, ProjectName = project, Environment = k => env?.GetValueOrDefault(k) });
    }

    [Fact]
    public void Reads_the_common_subset()
    {
        var p = Load("""
            services:
              web:
                image: app:1
                command: httpd -f -p "80 80"
                environment: { A: "1", B: }
                env_file: [web.env]
                ports: ["127.0.0.1:8080:80", "9000-9001:9000-9001/udp", { target: 443, published: "8443" }]
                volumes: ["data:/data", "./conf:/etc/conf:ro", "/cache"]
                depends_on: { db: { condition: service_healthy } }
                deploy: { replicas: 3, update_config: { parallelism: 2 } }
                healthcheck: { test: "wget -q localhost", interval: 2s, retries: 5, start_period: 1m }
                labels: [team=a]
                user: "1000:1000"
                working_dir: /srv
                restart: on-failure:3
              db:
                image: db:1
                networks: { back: { aliases: [database] } }
            networks: { back: {} }
            volumes: { data: {} }
            """, new() { ["B"] = "from-env" }, "proj", ("web.env", "A=0\nC=3\n"));
        Assert.Equal("proj", p.Name);
        Assert.Equal(["db", "web"], p.Services.Select(s => s.Name));
        var web = p.Service("web");
        Assert.Equal(["httpd", "-f", "-p", "80 80"], web.Command);
        Assert.Equal(["A=1", "C=3", "B=from-env"], web.Environment);
        Assert.Equal(4, web.Ports.Count);
        Assert.Equal(new ComposePort { HostIp = "127.0.0.1", Published = 8080, Target = 80 }, web.Ports[0]);
        Assert.Equal("udp", web.Ports[2].Protocol);
        Assert.Equal(9001, web.Ports[2].Published);
        Assert.Equal(8443, web.Ports[3].Published);
        Assert.Equal(new ComposeMount { Type = "volume", Source = "data", Target = "/data" }, web.Volumes[0]);
        Assert.Equal(new ComposeMount { Type = "bind", Source = Path.Combine(_dir, "conf"), Target = "/etc/conf", ReadOnly = true }, web.Volumes[1]);
        Assert.Equal("", web.Volumes[2].Source);
        Assert.Equal("service_healthy", web.DependsOn["db"]);
        Assert.Equal(3, web.Replicas);
        Assert.Equal(2, web.UpdateParallelism);
        Assert.Equal(["CMD-SHELL", "wget -q localhost"], web.Healthcheck!.Test);
        Assert.Equal(TimeSpan.FromMinutes(1), web.Healthcheck.StartPeriod);
        Assert.Equal("a", web.Labels["team"]);
        Assert.Equal("on-failure:3", web.Restart);
        Assert.Equal(["database"], p.Service("db").Networks["back"]);
        Assert.Equal("proj_back", p.Networks["back"].Name);
        Assert.Equal("proj_default", p.Networks["default"].Name);
        Assert.Equal("proj_data", p.Volumes["data"].Name);
    }

    [Fact]
    public void Interpolates_from_the_environment_and_dotenv()
    {
        var p = Load("""
            services:
              web:
                image: "app:${TAG:-latest}"
                environment: [ "PORT=${PORT}", "COST=$$5", "HOST=${HOST-x}", "E=${EMPTY:-d}" ]
            """, new() { ["PORT"] = "81", ["EMPTY"] = "" }, null, (".env", "TAG=2\nPORT=99\nHOST=\n"));
        var web = p.Service("web");
        Assert.Equal("app:2", web.Image);
        Assert.Equal(["PORT=81", "COST=$5", "HOST=", "E=d"], web.Environment);
        Assert.Equal(ComposeLoader.NormalizeName(Path.GetFileName(_dir)), p.Name);
    }

    [Fact]
    public void Extra_hosts_as_a_list_or_a_mapping()
    {
        var p = Load("""
            services:
              a:
                image: app:1
                extra_hosts: ["db:10.1.2.3", "gw=host-gateway"]
                dns: [10.0.0.53]
                dns_search: corp.example
                dns_opt: [timeout:1]
              b:
                image: app:1
                extra_hosts: { db: 10.1.2.4 }
            """);
        Assert.Equal(["db:10.1.2.3", "gw:host-gateway"], p.Service("a").ExtraHosts);
        Assert.Equal(["10.0.0.53"], p.Service("a").Dns);
        Assert.Equal(["corp.example"], p.Service("a").DnsSearch);
        Assert.Equal(["timeout:1"], p.Service("a").DnsOptions);
        Assert.Equal(["db:10.1.2.4"], p.Service("b").ExtraHosts);
        var e = Assert.Throws<ComposeException>(() => Load("services:\n  web:\n    image: a\n    extra_hosts: [\"db:nowhere\"]\n"));
        Assert.StartsWith("compose.yaml:4:19: services.web.extra_hosts[0]: invalid IP address in add-host: \"nowhere\"", e.Message);
    }

    [Fact]
    public void Required_variable_missing_names_it_with_line_and_column()
    {
        var e = Assert.Throws<ComposeException>(() => Load("services:\n  web:\n    image: ${IMG:?set IMG}\n"));
        Assert.StartsWith("compose.yaml:3:12: services.web.image: required variable IMG is missing a value: set IMG", e.Message);
    }

    [Fact]
    public void Invalid_yaml_reports_line_and_column()
    {
        var e = Assert.Throws<ComposeException>(() => Load("services:\n  web:\n    image: [a\n  db: x\n"));
        Assert.Matches(@"^compose\.yaml:\d+:\d+: invalid YAML: ", e.Message);
        var bad = Assert.Throws<ComposeException>(() => Load("services:\n  web:\n    image: a\n    ports: [\"http\"]\n"));
        Assert.Equal("compose.yaml:4:13: services.web.ports[0]: invalid port \"http\": a port is a number from 1 to 65535", bad.Message);
    }

    [Fact]
    public void Unknown_keys_are_warnings_that_name_them()
    {
        var p = Load("services:\n  web:\n    image: a\n    colour: blue\n    logging: {}\n    x-note: fine\nversion: '3'\nextra: 1\n");
        Assert.Contains("compose.yaml:4:5: services.web.colour: unknown key, ignored", p.Warnings);
        Assert.Contains("compose.yaml:5:5: services.web.logging: not supported, ignored", p.Warnings);
        Assert.Contains("compose.yaml:8:1: extra: unknown top-level key, ignored", p.Warnings);
        Assert.Equal(3, p.Warnings.Count);
    }

    [Fact]
    public void Depending_on_an_unknown_service_is_an_error()
    {
        var e = Assert.Throws<ComposeException>(() => Load("services:\n  web:\n    image: a\n    depends_on: [db]\n"));
        Assert.Contains("service web depends on the undefined service db", e.Message);
        var cycle = Assert.Throws<ComposeException>(() => Load("services:\n  a:\n    image: a\n    depends_on: [b]\n  b:\n    image: b\n    depends_on: [a]\n"));
        Assert.Contains("dependency cycle", cycle.Message);
    }

    [Fact]
    public void Anchors_and_merge_keys_work()
    {
        var p = Load("""
            x-base: &base
              image: base:1
              environment: { A: "1" }
            services:
              one: { <<: *base, command: ["a"] }
              two:
                <<: *base
                image: other:2
            """);
        Assert.Equal("base:1", p.Service("one").Image);
        Assert.Equal("other:2", p.Service("two").Image);
        Assert.Equal(["A=1"], p.Service("two").Environment);
    }

    [Fact]
    public void A_second_file_overrides_the_first()
    {
        File.WriteAllText(Path.Combine(_dir, "a.yml"), "services:\n  web:\n    image: a:1\n    ports: [\"80:80\"]\n    environment: { A: \"1\", B: \"1\" }\n");
        File.WriteAllText(Path.Combine(_dir, "b.yml"), "services:\n  web:\n    image: a:2\n    ports: [\"81:81\"]\n    environment: { B: \"2\" }\n");
        var p = ComposeLoader.Load(new ComposeLoadOptions { WorkingDir = _dir, Files = ["a.yml", "b.yml"], ProjectName = "x", Environment = _ => null });
        var web = p.Service("web");
        Assert.Equal("a:2", web.Image);
        Assert.Equal([80, 81], web.Ports.Select(x => x.Target));
        Assert.Equal(["A=1", "B=2"], web.Environment);
    }

    [Fact]
    public void Config_round_trips_through_the_writer()
    {
        var p = Load("services:\n  web:\n    image: app:1\n    environment: { N: \"5\" }\n    deploy: { replicas: 2 }\n", project: "rt");
        var text = ComposeWriter.Write(p);
        File.WriteAllText(Path.Combine(_dir, "compose.yaml"), text);
        var again = ComposeLoader.Load(new ComposeLoadOptions { WorkingDir = _dir, Environment = _ => null });
        Assert.Equal("rt", again.Name);
        Assert.Equal(p.Service("web").Environment, again.Service("web").Environment);
        Assert.Equal(2, again.Service("web").Replicas);
        Assert.Empty(again.Warnings);
    }

    [Theory]
    [InlineData("${A}", "a")]
    [InlineData("$A-$B", "a-")]
    [InlineData("${B:-${A}x}", "ax")]
    [InlineData("${A:+set}", "set")]
    [InlineData("${B+set}", "")]
    [InlineData("$$A", "$A")]
    public void Interpolation_follows_the_spec(string text, string expected) =>
        Assert.Equal(expected, Interpolation.Apply(text, k => k == "A" ? "a" : null));

    [Fact]
    public void Shell_words_split_as_a_shell_does() =>
        Assert.Equal(["sh", "-c", "echo 'hi' $X", "a b"], ShellWords.Split("sh -c \"echo 'hi' \\$X\" a\\ b"));
}
