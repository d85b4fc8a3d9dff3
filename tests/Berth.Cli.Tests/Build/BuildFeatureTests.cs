using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Build;

/// <summary>What a Dockerfile can say: stages, ignore files, triggers, here-documents, ADD, ownership, config.</summary>
public sealed class BuildFeatureTests : IDisposable
{
    private readonly BuildFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Multi_stage_target_builds_only_the_stages_it_needs()
    {
        _f.Dockerfile("""
            FROM base:1 AS builder
            RUN echo built > /artifact
            FROM base:1 AS unused
            RUN echo unused > /unused
            FROM base:1 AS tester
            COPY --from=builder /artifact /artifact
            RUN echo tested >> /artifact
            FROM base:1
            COPY --from=tester /artifact /final
            CMD ["cat", "/final"]
            """);
        var tester = _f.Build("--target", "tester", "-t", "t:tester");
        Assert.DoesNotContain("echo unused", tester);
        Assert.DoesNotContain("/final", tester);
        Assert.Equal("built\ntested\n", _f.Exec("t:tester", "cat", "/artifact"));

        var all = _f.Build("-t", "t:final");
        Assert.DoesNotContain("echo unused", all);
        Assert.Equal("built\ntested\n", _f.Exec("t:final"));
        Assert.Equal(1, _f.TryBuild("--target", "nope").ExitCode);
    }

    [Fact]
    public void Independent_stages_run_and_report_in_order()
    {
        _f.Dockerfile("""
            FROM base:1 AS a
            RUN sleep 0.3; echo a > /a
            FROM base:1 AS b
            RUN echo b > /b
            FROM base:1
            COPY --from=a /a /a
            COPY --from=b /b /b
            RUN cat /a /b > /ab
            """);
        var output = _f.Build("-t", "ab:1");
        var steps = output.Split('\n').Where(l => l.StartsWith("Step ")).Select(l => int.Parse(l[5..l.IndexOf('/')])).ToList();
        Assert.Equal(Enumerable.Range(1, 8).ToList(), steps);
        Assert.Equal("a\nb\n", _f.Exec("ab:1", "cat", "/ab"));
    }

    [Fact]
    public void Dockerignore_hides_files_from_COPY_with_exceptions()
    {
        _f.Write("keep.txt", "keep");
        _f.Write("secret.key", "secret");
        _f.Write("logs/a.log", "a");
        _f.Write("logs/important.log", "important");
        _f.Write(".dockerignore", "*.key\nlogs/*.log\n!logs/important.log\n");
        _f.Dockerfile("FROM base:1\nCOPY . /ctx/\n");
        _f.Build("-t", "ign:1");
        var files = _f.Exec("ign:1", "find", "/ctx", "-type", "f").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList();
        Assert.Equal(["/ctx/.dockerignore", "/ctx/Dockerfile", "/ctx/keep.txt", "/ctx/logs/important.log"], files);

        var missing = _f.Write("Dockerfile", "FROM base:1\nCOPY secret.key /\n");
        var r = _f.TryBuild();
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Dockerfile:2", r.Stderr);
        Assert.Contains("excluded by .dockerignore", r.Stderr);
    }

    [Fact]
    public void Onbuild_triggers_run_in_the_child_build_and_are_not_inherited_further()
    {
        _f.Write("src.txt", "from the child context\n");
        _f.Dockerfile("""
            FROM base:1
            ONBUILD COPY src.txt /onbuild/src.txt
            ONBUILD RUN echo triggered > /onbuild/ran
            """);
        _f.Build("-t", "parent:1");
        Assert.Equal(2, _f.Config("parent:1").GetProperty("OnBuild").GetArrayLength());

        _f.Dockerfile("FROM parent:1\nRUN cat /onbuild/src.txt /onbuild/ran > /out\n");
        _f.Build("-t", "child:1");
        Assert.Equal("from the child context\ntriggered\n", _f.Exec("child:1", "cat", "/out"));
        var onbuild = _f.Config("child:1").TryGetProperty("OnBuild", out var o) ? o.ValueKind.ToString() : "absent";
        Assert.True(onbuild is "absent" or "Null", onbuild);
    }

    [Fact]
    public void Here_documents_feed_RUN_and_COPY()
    {
        _f.Dockerfile("""
            FROM base:1
            ARG NAME=world
            RUN <<EOF
            echo "hello $NAME" > /greeting
            echo second line >> /greeting
            EOF
            COPY <<EOT /etc/motd
            welcome ${NAME}
            EOT
            RUN <<'SCRIPT'
            #!/bin/sh
            echo "script as $0" > /script-ran
            SCRIPT
            RUN cat <<EOF > /inline
            inline body
            EOF
            """);
        _f.Build("-t", "here:1");
        Assert.Equal("hello world\nsecond line\n", _f.Exec("here:1", "cat", "/greeting"));
        Assert.Equal("welcome world\n", _f.Exec("here:1", "cat", "/etc/motd"));
        Assert.Equal("script as /dev/pipes/SCRIPT\n", _f.Exec("here:1", "cat", "/script-ran"));
        Assert.Equal("inline body\n", _f.Exec("here:1", "cat", "/inline"));
    }

    [Fact]
    public void ADD_unpacks_local_archives_and_COPY_sets_owner_and_mode()
    {
        var tree = Path.Combine(_f.Root, "tree");
        Shell.Sh($"mkdir -p {tree}/pkg && echo packed > {tree}/pkg/file && tar -C {tree} -czf {_f.Context}/pkg.tar.gz pkg").AssertOk();
        _f.Write("plain.txt", "plain\n");
        _f.Write("dir/a.txt", "a\n");
        _f.Write("dir/sub/b.txt", "b\n");
        _f.Dockerfile("""
            FROM base:1
            ADD pkg.tar.gz /opt/
            COPY --chown=65534:50 --chmod=600 plain.txt /owned/plain.txt
            COPY dir /copied
            COPY *.txt dir/a.txt /multi/
            WORKDIR /made/here
            RUN pwd > /pwd
            """);
        _f.Build("-t", "add:1");
        Assert.Equal("packed\n", _f.Exec("add:1", "cat", "/opt/pkg/file"));
        Assert.Equal("65534:50 600\n", _f.Exec("add:1", "stat", "-c", "%u:%g %a", "/owned/plain.txt"));
        Assert.Equal("0:0\n", _f.Exec("add:1", "stat", "-c", "%u:%g", "/copied/sub/b.txt"));
        Assert.Equal("a.txt\nplain.txt\n", _f.Exec("add:1", "ls", "/multi"));
        Assert.Equal("/made/here\n", _f.Exec("add:1", "cat", "/pwd"));
    }

    [Fact]
    public void Config_instructions_and_labels_land_in_the_image_config()
    {
        _f.Dockerfile("""
            FROM base:1
            ENV A=1 B="two words"
            LABEL com.example.x=y
            EXPOSE 80 53/udp
            USER nobody
            WORKDIR /tmp
            VOLUME /data
            STOPSIGNAL SIGINT
            HEALTHCHECK --interval=5s CMD true
            ENTRYPOINT ["/bin/echo"]
            CMD ["hi"]
            """);
        _f.Build("--label", "built.by=test", "-t", "cfg:1");
        var c = _f.Config("cfg:1");
        Assert.Contains("B=two words", c.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("y", c.GetProperty("Labels").GetProperty("com.example.x").GetString());
        Assert.Equal("test", c.GetProperty("Labels").GetProperty("built.by").GetString());
        Assert.True(c.GetProperty("ExposedPorts").TryGetProperty("53/udp", out _));
        Assert.Equal("nobody", c.GetProperty("User").GetString());
        Assert.Equal("/tmp", c.GetProperty("WorkingDir").GetString());
        Assert.Equal("SIGINT", c.GetProperty("StopSignal").GetString());
        Assert.Equal(5_000_000_000, c.GetProperty("Healthcheck").GetProperty("Interval").GetInt64());
        Assert.Equal("hi\n", _f.Run("run", "--rm", "--network", "none", "cfg:1").AssertOk().Stdout);
        var history = _f.Run("history", "--no-trunc", "--format", "{{.CreatedBy}}", "cfg:1").AssertOk().Stdout;
        Assert.Contains("/bin/sh -c #(nop)  ENV A=1 B=two words", history);
        Assert.Contains("/bin/sh -c #(nop)  LABEL built.by=test", history);
    }

    [Fact]
    public void Quiet_prints_the_id_and_iidfile_records_it()
    {
        _f.Dockerfile("FROM base:1\nRUN echo hi\n");
        var iid = Path.Combine(_f.Root, "iid");
        var r = _f.Run("build", "-q", "--iidfile", iid, "-t", "q:1", _f.Context).AssertOk();
        Assert.Matches("^sha256:[0-9a-f]{64}\n$", r.Stdout);
        Assert.Equal(r.Stdout.Trim(), File.ReadAllText(iid));
        Assert.Equal(r.Stdout.Trim(), _f.ImageId("q:1"));
    }

    [Fact]
    public void Context_and_Dockerfile_can_come_from_stdin()
    {
        _f.Write("data.txt", "from the tar\n");
        _f.Write("build/Dockerfile.alt", "FROM base:1\nCOPY data.txt /data.txt\n");
        var tar = Path.Combine(_f.Root, "ctx.tar");
        Shell.Sh($"tar -C {_f.Context} -cf {tar} .").AssertOk();
        Shell.Sh($"{BerthBinary.Path} --root {_f.Root} build -q -f build/Dockerfile.alt -t tarctx:1 - < {tar}").AssertOk();
        Assert.Equal("from the tar\n", _f.Exec("tarctx:1", "cat", "/data.txt"));
        // The same tar through a pipe (spooled, compressed).
        Shell.Sh($"gzip -c {tar} | {BerthBinary.Path} --root {_f.Root} build -q -f build/Dockerfile.alt -t tarctx:2 -").AssertOk();
        Assert.Equal(_f.ImageId("tarctx:1"), _f.ImageId("tarctx:2"));

        var fromStdin = _f.Input("FROM base:1\nCOPY data.txt /stdin.txt\n", "build", "-q", "-f", "-", "-t", "dfstdin:1", _f.Context).AssertOk();
        Assert.Equal("from the tar\n", _f.Exec("dfstdin:1", "cat", "/stdin.txt"));
        Assert.StartsWith("sha256:", fromStdin.Stdout);
    }

    [Fact]
    public void RUN_mounts_bind_the_context_keep_a_cache_and_leave_no_trace()
    {
        _f.Write("src/input.txt", "from the context\n");
        _f.Dockerfile("""
            FROM base:1
            RUN --mount=type=bind,source=src,target=/src cat /src/input.txt > /copied
            RUN --mount=type=cache,target=/var/cache/app sh -c 'echo run >> /var/cache/app/log; wc -l < /var/cache/app/log > /runs'
            RUN --mount=type=tmpfs,target=/scratch sh -c 'echo x > /scratch/x && test -f /scratch/x'
            """);
        _f.Build("-t", "mnt:1");
        Assert.Equal("from the context\n", _f.Exec("mnt:1", "cat", "/copied"));
        Assert.Equal("1\n", _f.Exec("mnt:1", "cat", "/runs"));
        Assert.Equal("", _f.Exec("mnt:1", "sh", "-c", "ls -d /src /scratch /var 2>/dev/null; true"));

        // A changed bind source misses the cache; the cache mount outlives the build.
        _f.Write("src/input.txt", "changed\n");
        _f.Build("-t", "mnt:2");
        Assert.Equal("changed\n", _f.Exec("mnt:2", "cat", "/copied"));
        Assert.Equal("2\n", _f.Exec("mnt:2", "cat", "/runs"));
    }

    [Fact]
    public void ADD_downloads_a_url_and_checks_its_checksum()
    {
        if (!Shell.Has("python3")) return;
        var served = Path.Combine(_f.Root, "served");
        Directory.CreateDirectory(served);
        File.WriteAllText(Path.Combine(served, "file.txt"), "downloaded\n");
        var sha = Shell.Sh($"sha256sum {served}/file.txt | cut -d' ' -f1").AssertOk().Stdout.Trim();
        int port = 20000 + Random.Shared.Next(20000);
        using var server = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("python3", ["-m", "http.server", "--bind", "127.0.0.1", port.ToString(), "--directory", served])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        try
        {
            for (int i = 0; i < 50 && Shell.Run("bash", "-c", $"exec 3<>/dev/tcp/127.0.0.1/{port}").ExitCode != 0; i++) Thread.Sleep(100);
            _f.Dockerfile($"FROM base:1\nADD --checksum=sha256:{sha} http://127.0.0.1:{port}/file.txt /dl/\n");
            _f.Build("--network", "host", "-t", "url:1");
            Assert.Equal("downloaded\n600\n", _f.Exec("url:1", "sh", "-c", "cat /dl/file.txt; stat -c %a /dl/file.txt"));

            _f.Dockerfile($"FROM base:1\nADD --checksum=sha256:{new string('0', 64)} http://127.0.0.1:{port}/file.txt /dl/\n");
            var bad = _f.TryBuild();
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("Dockerfile:2", bad.Stderr);
            Assert.Contains("digest mismatch", bad.Stderr);
        }
        finally
        {
            server.Kill();
            server.WaitForExit();
        }
    }
}
