using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Distribution;

/// <summary>berth push and pull against Debian's CNCF registry, end to end through the binary.</summary>
public sealed class PushPullTests : IDisposable
{
    private readonly CncfRegistry _registry = new();
    private readonly TempRoot _source = new();
    private readonly TempRoot _target = new();
    private readonly string _dockerConfig = Directory.CreateTempSubdirectory("berth-dockercfg-").FullName;

    public void Dispose()
    {
        _registry.Dispose();
        _source.Dispose();
        _target.Dispose();
        Directory.Delete(_dockerConfig, recursive: true);
    }

    private RunResult Berth(TempRoot root, params string[] args) =>
        BerthBinary.RunWith(root.Path, null, new Dictionary<string, string> { ["DOCKER_CONFIG"] = _dockerConfig }, args);

    /// <summary>The fixture's two images, tagged into the registry through <paramref name="domain"/>.</summary>
    private void LoadFixture(string domain)
    {
        Berth(_source, "load", "-i", Path.Combine(Repo.SharedTestData, "docker-save-fixture.tar")).AssertOk();
        Berth(_source, "tag", "localbase:1", $"{domain}/base:1").AssertOk();
        Berth(_source, "tag", "fixture/layers:1", $"{domain}/app:1").AssertOk();
    }

    private string Id(TempRoot root, string reference) => Berth(root, "images", "-q", "--no-trunc", reference).AssertOk().Stdout.Trim();

    [Fact]
    public void PushThenPullIntoAFreshRootGivesTheSameImage()
    {
        var d = _registry.Domain;
        LoadFixture(d);
        var push = Berth(_source, "push", $"{d}/app:1").AssertOk();
        Assert.Contains($"The push refers to repository [{d}/app]", push.Stdout);
        Assert.Contains(": Pushed", push.Stdout);
        Assert.Matches(@"1: digest: sha256:[0-9a-f]{64} size: \d+", push.Stdout);

        var pull = Berth(_target, "pull", $"{d}/app:1").AssertOk();
        Assert.Contains("1: Pulling from app", pull.Stdout);
        Assert.Contains(": Pull complete", pull.Stdout);
        Assert.Contains($"Status: Downloaded newer image for {d}/app:1", pull.Stdout);
        Assert.EndsWith($"{d}/app:1\n", pull.Stdout);
        Assert.Equal(Id(_source, $"{d}/app:1"), Id(_target, $"{d}/app:1"));

        // the printed digest is the one the registry stores, and the image records it
        var digest = System.Text.RegularExpressions.Regex.Match(push.Stdout, @"digest: (sha256:[0-9a-f]{64})").Groups[1].Value;
        Assert.Contains($"Digest: {digest}", pull.Stdout);
        Assert.Contains(digest, Berth(_target, "images", "--digests").Stdout);
        var byDigest = Berth(_target, "pull", $"{d}/app@{digest}").AssertOk();
        Assert.Contains("Status: Image is up to date", byDigest.Stdout);

        Assert.Contains("Status: Image is up to date", Berth(_target, "pull", $"{d}/app:1").AssertOk().Stdout);
        Assert.Equal($"{d}/app:1\n", Berth(_target, "pull", "-q", $"{d}/app:1").AssertOk().Stdout);
    }

    [Fact]
    public void AChildImagePushesOnlyItsNewLayersAndMountsItsBase()
    {
        using var proxy = new CountingProxy(_registry.Port);
        var d = proxy.Domain;
        LoadFixture(d);
        Berth(_source, "push", $"{d}/base:1").AssertOk();
        long baseBytes = proxy.BytesUp;
        Assert.True(baseBytes > 500_000, $"the base push sent only {baseBytes} bytes");

        long before = proxy.BytesUp;
        var child = Berth(_source, "push", $"{d}/app:1").AssertOk();
        long childBytes = proxy.BytesUp - before;
        Assert.Contains("Mounted from base", child.Stdout);
        Assert.True(childBytes < 100_000, $"the child push sent {childBytes} bytes; its base is {baseBytes}");

        before = proxy.BytesUp;
        var again = Berth(_source, "push", $"{d}/app:1").AssertOk();
        Assert.Equal(4, again.Stdout.Split('\n').Count(l => l.EndsWith(": Layer already exists", StringComparison.Ordinal)));
        // the tag already holds this manifest: one manifest HEAD, no blob HEADs, no manifest PUT (about 1.4 KB)
        Assert.True(proxy.BytesUp - before < 1_000, $"a push with nothing new sent {proxy.BytesUp - before} bytes");

        // pulling the child where the base is: only the new layers come down
        Berth(_target, "pull", $"{d}/base:1").AssertOk();
        var pull = Berth(_target, "pull", $"{d}/app:1").AssertOk();
        Assert.Equal(1, pull.Stdout.Split('\n').Count(l => l.EndsWith(": Already exists", StringComparison.Ordinal)));
        Assert.Equal(3, pull.Stdout.Split('\n').Count(l => l.EndsWith(": Pull complete", StringComparison.Ordinal)));
    }

    [Fact]
    public void AllTagsAndZstd()
    {
        var d = _registry.Domain;
        LoadFixture(d);
        Berth(_source, "tag", "fixture/layers:1", $"{d}/app:2").AssertOk();
        var push = Berth(_source, "push", "-a", "--compression", "zstd", $"{d}/app").AssertOk();
        Assert.Contains("1: digest: sha256:", push.Stdout);
        Assert.Contains("2: digest: sha256:", push.Stdout);

        var pull = Berth(_target, "pull", "-a", $"{d}/app").AssertOk();
        Assert.Contains("1: Pulling from app", pull.Stdout);
        Assert.Contains("2: Pulling from app", pull.Stdout);
        Assert.Equal(Id(_source, $"{d}/app:1"), Id(_target, $"{d}/app:2"));
        var inspect = Berth(_target, "image", "inspect", "-f", "{{.Id}}", $"{d}/app:1").AssertOk();
        Assert.Equal(Id(_source, $"{d}/app:1"), inspect.Stdout.Trim());
        var mediaTypes = Shell.Run("curl", "-s", "-H", "Accept: application/vnd.oci.image.manifest.v1+json", $"http://{d}/v2/app/manifests/2").Stdout;
        Assert.Contains("application/vnd.oci.image.layer.v1.tar+zstd", mediaTypes);
    }

    [Fact]
    public void APushRemembersTheManifestItRewroteForEachCompression()
    {
        var d = _registry.Domain;
        LoadFixture(d);
        string Pushed(params string[] args) =>
            System.Text.RegularExpressions.Regex.Match(Berth(_source, ["push", .. args, $"{d}/app:1"]).AssertOk().Stdout, @"digest: (sha256:[0-9a-f]{64})").Groups[1].Value;
        string Held() => Shell.Run("curl", "-sI", "-H", "Accept: application/vnd.oci.image.manifest.v1+json",
            "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json", $"http://{d}/v2/app/manifests/1").Stdout
            .Split('\n').First(l => l.StartsWith("Docker-Content-Digest:", StringComparison.OrdinalIgnoreCase))["Docker-Content-Digest:".Length..].Trim();

        // the stored layers are uncompressed: each push sends a manifest naming the compressed blobs
        var gzip = Pushed();
        Assert.Equal(gzip, Held());
        var zstd = Pushed("--compression", "zstd");
        Assert.NotEqual(gzip, zstd);
        Assert.Equal(zstd, Held());
        // the gzip manifest is remembered, not re-made: the tag holds the zstd one, so it goes up again
        var again = Berth(_source, "push", $"{d}/app:1").AssertOk().Stdout;
        Assert.Contains($"digest: {gzip}", again);
        Assert.Equal(4, again.Split('\n').Count(l => l.EndsWith(": Layer already exists", StringComparison.Ordinal)));
        Assert.Equal(gzip, Held());
        Assert.Contains($"digest: {gzip}", Berth(_source, "push", $"{d}/app:1").AssertOk().Stdout);
    }

    [Fact]
    public void EnsureImagePullsWhatIsMissingAsRunNeedsIt()
    {
        var d = _registry.Domain;
        LoadFixture(d);
        Berth(_source, "push", $"{d}/app:1").AssertOk();
        var (output, error) = (new StringWriter(), new StringWriter());
        using (var ctx = new CliContext(_target.Path, false, output, error))
        {
            var image = Commands.PullCommand.EnsureImage(ctx, $"{d}/app:1");
            Assert.Equal(Id(_source, $"{d}/app:1"), image.Id.ToString());
            Assert.StartsWith($"Unable to find image '{d}/app:1' locally\n1: Pulling from app\n", error.ToString().ReplaceLineEndings("\n"));
            Assert.EndsWith($"Status: Downloaded newer image for {d}/app:1\n", error.ToString().ReplaceLineEndings("\n"));
            Assert.Equal("", output.ToString());

            error.GetStringBuilder().Clear();
            Assert.Equal(image.Id, Commands.PullCommand.EnsureImage(ctx, $"{d}/app:1").Id);
            Assert.Equal("", error.ToString());
        }
    }

    [Fact]
    public void BadInputIsOneLineExitOneAndStoresNothing()
    {
        var d = _registry.Domain;
        foreach (var (reference, expected) in new[]
        {
            ($"{d}/nope:1", $"Error: pull {d}/nope:1: not found: manifest unknown"),
            ("127.0.0.1:1/app:1", "Error: pull 127.0.0.1:1/app:1: cannot reach registry 127.0.0.1:1: connection refused"),
            ("nosuchhost.invalid/app:1", "Error: pull nosuchhost.invalid/app:1: cannot reach registry nosuchhost.invalid: no such host"),
        })
        {
            var r = Berth(_target, "pull", reference);
            Assert.Equal(1, r.ExitCode);
            Assert.Equal(expected, r.Stderr.TrimEnd('\n'));
            Assert.Equal("", r.Stdout);
        }
        Assert.Equal("", Berth(_target, "images", "-q").AssertOk().Stdout);
        var push = Berth(_target, "push", $"{d}/missing:1");
        Assert.Equal(1, push.ExitCode);
        Assert.Contains("An image does not exist locally with the tag", push.Stderr);
    }
}
