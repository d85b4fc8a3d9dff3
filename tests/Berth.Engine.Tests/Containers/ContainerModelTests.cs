using System.Text;
using Berth.Engine.Containers;

namespace Berth.Engine.Tests.Containers;

public class ContainerModelTests
{
    [Fact]
    public void Json_log_lines_are_dockers_shape_escaped_and_timestamped_with_nanoseconds()
    {
        var buffer = new byte[4096];
        var time = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567);
        int n = JsonLogWriter.Encode("say \"hi\" <&> \t\\\n"u8.ToArray().Concat(new byte[] { 0x01, 0xff }).ToArray(), "stdout", time, buffer);
        var line = Encoding.UTF8.GetString(buffer, 0, n);
        Assert.Equal("{\"log\":\"say \\\"hi\\\" \\u003c\\u0026\\u003e \\t\\\\\\n\\u0001\uFFFD\",\"stream\":\"stdout\",\"time\":\"2026-01-02T03:04:05.123456700Z\"}\n", line);
        var entry = JsonLogReader.Parse(line.TrimEnd('\n'))!.Value;
        Assert.Equal("stdout", entry.Stream);
        Assert.Equal(time, entry.Time.UtcDateTime);
        Assert.Equal("say \"hi\" <&> \t\\\n\u0001\uFFFD", Encoding.UTF8.GetString(entry.Line));
    }

    [Fact]
    public void The_log_writer_splits_lines_and_keeps_partial_ones_until_flushed()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var w = new JsonLogWriter(path))
            {
                w.Write(1, "a\nb"u8);
                w.Write(2, "err\n"u8);
                w.Write(1, "c\n"u8);
                w.Write(1, "tail"u8);
            }
            var entries = JsonLogReader.Read(path).Select(e => (e.Stream, Encoding.UTF8.GetString(e.Line))).ToList();
            Assert.Equal([("stdout", "a\n"), ("stderr", "err\n"), ("stdout", "bc\n"), ("stdout", "tail")], entries);
            Assert.Equal([("stdout", "tail")], JsonLogReader.Read(path, tail: 1).Select(e => (e.Stream, Encoding.UTF8.GetString(e.Line))));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Users_resolve_against_the_images_passwd_and_group()
    {
        var files = new Dictionary<string, string>
        {
            ["/etc/passwd"] = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n",
            ["/etc/group"] = "root:x:0:\napp:x:1001:\nstaff:x:50:app,other\nwheel:x:10:app\n",
        };
        string? Read(string p) => files.GetValueOrDefault(p);
        var root = UserResolver.Resolve("", Read);
        Assert.Equal((0u, 0u), (root.Uid, root.Gid));
        var app = UserResolver.Resolve("app", Read);
        Assert.Equal((1000u, 1001u), (app.Uid, app.Gid));
        Assert.Equal([50u, 10u], app.AdditionalGids);
        var explicitGroup = UserResolver.Resolve("app:staff", Read);
        Assert.Equal((1000u, 50u), (explicitGroup.Uid, explicitGroup.Gid));
        Assert.Equal((4242u, 7u), (UserResolver.Resolve("4242:7", Read).Uid, UserResolver.Resolve("4242:7", Read).Gid));
        Assert.Equal((1000u, 1001u), (UserResolver.Resolve("1000", Read).Uid, UserResolver.Resolve("1000", Read).Gid));
        Assert.Contains("no matching entries in passwd file", Assert.Throws<BerthException>(() => UserResolver.Resolve("ghost", Read)).Message);
        Assert.Contains("no matching entries in group file", Assert.Throws<BerthException>(() => UserResolver.Resolve("app:ghosts", Read)).Message);
    }

    [Theory]
    [InlineData("KILL", 9)]
    [InlineData("SIGTERM", 15)]
    [InlineData("hup", 1)]
    [InlineData("10", 10)]
    [InlineData("SIGRTMIN+2", 36)]
    public void Signals_parse_as_docker_spells_them(string text, int number) => Assert.Equal(number, Signals.Parse(text));

    [Fact]
    public void A_container_spec_survives_its_json()
    {
        var spec = new ContainerSpec
        {
            Image = "bb:1", ImageId = "sha256:abc", Hostname = "h", User = "app", Uid = 1, Gid = 2, AdditionalGids = [3],
            Env = ["A=1"], Entrypoint = ["sh"], Cmd = null, WorkingDir = "/w", Labels = new() { ["k"] = "v" }, StopSignal = "SIGINT",
            StopTimeout = 4, Tty = true, OpenStdin = true, Init = true, ReadonlyRootfs = true, Memory = 5, MemorySwap = 6, NanoCpus = 7,
            PidsLimit = 8, CapAdd = ["NET_ADMIN"], CapDrop = ["MKNOD"], Privileged = true, NetworkMode = "host",
            RestartPolicy = new RestartPolicy { Name = "on-failure", MaximumRetryCount = 3 }, AutoRemove = true, Runtime = "crun", ShmSize = 9,
            Mounts = [new MountSpec { Type = "volume", Source = "v", Target = "/v", ReadOnly = true, Anonymous = true, Options = "o" }],
        };
        var back = ContainerSpecCodec.Read(ContainerSpecCodec.Write(spec));
        Assert.Equal(ContainerSpecCodec.Write(spec), ContainerSpecCodec.Write(back));
        Assert.Null(back.Cmd);
        Assert.Equal(spec.Mounts[0], back.Mounts[0]);
        Assert.Equal(spec.RestartPolicy, back.RestartPolicy);
    }

    [Fact]
    public void Env_merges_as_docker_does_and_restart_policies_parse()
    {
        Assert.Equal(["PATH=/x", "A=2", "B=3"], ContainerCreator.MergeEnv(["PATH=/bin", "A=1"], ["A=2", "PATH=/x", "B=3"]));
        Assert.Equal(new RestartPolicy { Name = "on-failure", MaximumRetryCount = 5 }, RestartPolicy.Parse("on-failure:5"));
        Assert.Throws<BerthException>(() => RestartPolicy.Parse("always:5"));
        Assert.Throws<BerthException>(() => RestartPolicy.Parse("sometimes"));
        Assert.Throws<BerthException>(() => NameGenerator.Validate("a"));
        Assert.Matches("^[a-z]+_[a-z]+$", NameGenerator.Next(_ => false));
    }
}
