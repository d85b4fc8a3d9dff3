using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Build;

/// <summary>The layer cache: hits on an unchanged rebuild, misses exactly where something changed.</summary>
public sealed class BuildCacheTests : IDisposable
{
    private readonly BuildFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Cold_build_runs_every_step_and_an_unchanged_rebuild_hits_them_all_with_the_same_id()
    {
        _f.Write("app.txt", "v1\n");
        _f.Dockerfile("""
            FROM base:1
            RUN echo one > /one
            COPY app.txt /app/app.txt
            ENV MODE=prod
            RUN cat /one /app/app.txt > /both
            CMD ["cat", "/both"]
            """);
        var cold = _f.Build("-t", "app:1");
        Assert.Equal([2, 3, 4, 5, 6], BuildFixture.ExecutedSteps(cold));
        Assert.Contains(" ---> Running in ", cold);
        Assert.Matches(@"Successfully built [0-9a-f]{12}\nSuccessfully tagged app:1\n$", cold);
        var id = _f.ImageId("app:1");
        Assert.Equal("one\nv1\n", _f.Exec("app:1"));

        var warm = _f.Build("-t", "app:1");
        Assert.Empty(BuildFixture.ExecutedSteps(warm));
        Assert.Equal(5, BuildFixture.CacheHits(warm));
        Assert.DoesNotContain("Running in", warm);
        Assert.Equal(id, _f.ImageId("app:1"));

        // A new tag for the same build: same image, cache shared by all tags.
        _f.Build("-t", "other:2");
        Assert.Equal(id, _f.ImageId("other:2"));
    }

    [Fact]
    public void Content_change_invalidates_its_step_and_later_ones_but_a_touch_does_not()
    {
        var file = _f.Write("app.txt", "v1\n");
        _f.Dockerfile("""
            FROM base:1
            RUN echo before > /before
            COPY app.txt /app.txt
            RUN cat /app.txt > /copy
            """);
        _f.Build("-t", "app:1");
        var id = _f.ImageId("app:1");

        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(1));
        var touched = _f.Build("-t", "app:1");
        Assert.Empty(BuildFixture.ExecutedSteps(touched));
        Assert.Equal(id, _f.ImageId("app:1"));

        File.WriteAllText(file, "v2\n");
        var changed = _f.Build("-t", "app:2");
        Assert.Equal([3, 4], BuildFixture.ExecutedSteps(changed));
        Assert.Equal("v2\n", _f.Exec("app:2", "cat", "/copy"));

        // A mode change is a content change too.
        File.SetUnixFileMode(file, (UnixFileMode)0x1ED);
        Assert.Equal([3, 4], BuildFixture.ExecutedSteps(_f.Build("-t", "app:3")));
    }

    [Fact]
    public void A_changed_build_arg_misses_only_the_steps_that_see_it()
    {
        _f.Dockerfile("""
            FROM base:1
            RUN echo first > /first
            ENV FIXED=1
            ARG VERSION=1
            RUN echo "$VERSION" > /version
            LABEL v=$VERSION
            """);
        _f.Build("--build-arg", "VERSION=1", "-t", "v:1");
        var again = _f.Build("--build-arg", "VERSION=2", "-t", "v:2");
        Assert.Equal([5, 6], BuildFixture.ExecutedSteps(again));
        Assert.Equal("2\n", _f.Exec("v:2", "cat", "/version"));
        Assert.Equal("2", _f.Config("v:2").GetProperty("Labels").GetProperty("v").GetString());
        Assert.Empty(BuildFixture.ExecutedSteps(_f.Build("--build-arg", "VERSION=1", "-t", "v:1")));
    }

    [Fact]
    public void A_failing_RUN_reports_its_exit_code_and_keeps_the_steps_before_it_cached()
    {
        _f.Dockerfile("""
            FROM base:1
            RUN echo $((1+1)) > /x
            RUN [ "$(cat /x)" = 2 ] || exit 3
            RUN exit 7
            """);
        var failed = _f.TryBuild("-t", "bad:1");
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("The command '/bin/sh -c exit 7' returned a non-zero code: 7", failed.Stderr);
        Assert.Equal("", _f.Run("images", "-q", "bad:1").Stdout.Trim());

        _f.Dockerfile("""
            FROM base:1
            RUN echo $((1+1)) > /x
            RUN [ "$(cat /x)" = 2 ] || exit 3
            RUN echo fixed > /fixed
            """);
        var fixedBuild = _f.Build("-t", "bad:1");
        Assert.Equal([4], BuildFixture.ExecutedSteps(fixedBuild));
    }

    [Fact]
    public void No_cache_runs_every_step_again()
    {
        _f.Dockerfile("FROM base:1\nRUN head -c 16 /dev/urandom | md5sum > /stamp\n");
        _f.Build("-t", "n:1");
        var first = _f.Exec("n:1", "cat", "/stamp");
        var rebuilt = _f.Build("--no-cache", "-t", "n:1");
        Assert.Equal([2], BuildFixture.ExecutedSteps(rebuilt));
        Assert.NotEqual(first, _f.Exec("n:1", "cat", "/stamp"));
    }

    [Fact]
    public void Removing_the_image_keeps_the_cache_and_builder_prune_clears_it()
    {
        _f.Dockerfile("FROM base:1\nRUN head -c 100000 /dev/urandom > /blob\nRUN echo done > /done\n");
        _f.Build("-t", "p:1");
        var blob = _f.Exec("p:1", "md5sum", "/blob");
        _f.Run("rmi", "p:1").AssertOk();
        _f.Run("image", "prune", "-f").AssertOk();

        var rebuilt = _f.Build("-t", "p:1");
        Assert.Empty(BuildFixture.ExecutedSteps(rebuilt));
        Assert.Equal(blob, _f.Exec("p:1", "md5sum", "/blob"));

        _f.Run("rmi", "p:1").AssertOk();
        var pruned = _f.Run("builder", "prune", "-f").AssertOk().Stdout;
        Assert.Contains("Deleted build cache entries: 2", pruned);
        Assert.Equal([2, 3], BuildFixture.ExecutedSteps(_f.Build("-t", "p:1")));
    }

    [Fact]
    public void A_large_file_rewritten_with_its_old_mtime_still_misses_the_cache()
    {
        var file = _f.Write("big.bin", new string('a', 200_000));
        _f.Dockerfile("FROM base:1\nCOPY big.bin /big.bin\nRUN head -c 1 /big.bin > /first\n");
        Thread.Sleep(2500); // digests of files changed in the last two seconds are not remembered
        _f.Build("-t", "big:1");
        Assert.Empty(BuildFixture.ExecutedSteps(_f.Build("-t", "big:1")));

        var mtime = File.GetLastWriteTimeUtc(file);
        File.WriteAllText(file, "b" + new string('a', 199_999));
        File.SetLastWriteTimeUtc(file, mtime);
        Assert.Equal([2, 3], BuildFixture.ExecutedSteps(_f.Build("-t", "big:2")));
        Assert.Equal("b", _f.Exec("big:2", "cat", "/first"));
    }
}
