using System.Collections.Concurrent;
using System.Text;
using Berth.Engine.Distribution;
using Berth.Engine.Oci;
using Berth.Engine.Tests.Layers;

namespace Berth.Engine.Tests.Distribution;

/// <summary>Puller and Pusher against an in-memory registry that can misbehave on purpose.</summary>
public sealed class PushPullTests : IDisposable
{
    private readonly FakeRegistry _registry = new();
    private readonly TestRoot _source = new();
    private readonly TestRoot _target = new();
    private readonly TempDir _config = new();

    public void Dispose()
    {
        _registry.Dispose();
        _source.Dispose();
        _target.Dispose();
        _config.Dispose();
    }

    private Registries Registries(Credential? login = null)
    {
        var store = new CredentialStore(Path.Combine(_config.Path, "config.json"));
        if (login is not null) store.Set(_registry.Domain, login);
        return new Registries(new RegistryHosts(), store);
    }

    private ImageReference Ref(string repoAndTag) => ImageReference.Parse($"{_registry.Domain}/{repoAndTag}");

    private static Dictionary<string, string> Files(params string[] namesAndTexts)
    {
        var d = new Dictionary<string, string>();
        for (int i = 0; i < namesAndTexts.Length; i += 2) d[namesAndTexts[i]] = namesAndTexts[i + 1];
        return d;
    }

    private sealed class Events : IProgress<TransferEvent>
    {
        public ConcurrentQueue<TransferEvent> All { get; } = new();
        public void Report(TransferEvent value) => All.Enqueue(value);
        public int Count(TransferStatus s) => All.Count(e => e.Status == s);
    }

    private async Task<PushResult> Push(string tag, string to, PushOptions? options = null, Events? events = null, Credential? login = null)
    {
        using var regs = Registries(login);
        return await new Pusher(_source.Root, regs, events).PushAsync(Ref(to), options);
    }

    private async Task<PullResult> Pull(string from, PullOptions? options = null, Events? events = null, Credential? login = null, TestRoot? into = null)
    {
        using var regs = Registries(login);
        return await new Puller((into ?? _target).Root, regs, events).PullAsync(Ref(from), options);
    }

    [Fact]
    public async Task PushThenPullGivesTheSameImageThroughTokenAuth()
    {
        _registry.RequireToken = true;
        _registry.TokenUser = ("alice", "secret");
        var login = new Credential("alice", "secret");
        var image = _source.MakeImage($"{_registry.Domain}/app:1", null, Files("a", "one"), Files("b", "two"));
        var pushed = await Push("app:1", "app:1", login: login);
        Assert.Equal(1, _registry.Count("GET", "/token"));
        Assert.Contains("repository:app:pull,push", _registry.TokenScopes);

        var events = new Events();
        var pulled = await Pull("app:1", events: events, login: login);
        Assert.Equal(image.Id, pulled.Image.Id);
        Assert.Equal(pushed.Digest, pulled.Digest);
        Assert.Equal(2, _registry.Count("GET", "/token"));
        Assert.Equal(2, events.Count(TransferStatus.PullComplete));
        var stored = _target.Root.Images.Find($"{_registry.Domain}/app:1");
        Assert.NotNull(stored);
        Assert.Contains(stored.RepoDigests, r => r.Digest == pushed.Digest);
        // the layers went compressed, and the pushed manifest names them
        var manifest = OciJson.Parse(_target.Root.Images.ReadManifestBytes(stored), OciJson.Default.Manifest, "m");
        Assert.All(manifest.Layers, l => Assert.Equal(MediaTypes.OciLayerGzip, l.MediaType));
    }

    [Fact]
    public async Task AnonymousTokensWork()
    {
        _registry.RequireToken = true;
        _source.MakeImage($"{_registry.Domain}/pub:1", null, Files("a", "x"));
        await Push("pub:1", "pub:1");
        var pulled = await Pull("pub:1");
        Assert.NotNull(_target.Root.Images.Find(pulled.Image.Id.ToString()));
    }

    [Fact]
    public async Task WrongCredentialsAreOneLineAndStoreNothing()
    {
        _registry.RequireToken = true;
        _registry.TokenUser = ("alice", "secret");
        _source.MakeImage($"{_registry.Domain}/app:1", null, Files("a", "one"));
        await Push("app:1", "app:1", login: new Credential("alice", "secret"));
        var e = await Assert.ThrowsAnyAsync<BerthException>(() => Pull("app:1", login: new Credential("alice", "wrong")));
        Assert.Contains("incorrect username or password", e.Message);
        Assert.Contains(_registry.Domain, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(_target.Root.Images.List());
    }

    [Fact]
    public async Task CorruptBlobIsRejectedAndNothingIsCommitted()
    {
        var image = _source.MakeImage($"{_registry.Domain}/app:1", null, Files("a", new string('a', 5000)));
        await Push("app:1", "app:1");
        var layerDigest = _registry.Blobs.Keys.Single(k => _registry.Blobs[k].Length > 100 && _registry.Blobs[k][0] == 0x1f);
        var bad = (byte[])_registry.Blobs[layerDigest].Clone();
        bad[^10] ^= 0xff;
        _registry.Blobs[layerDigest] = bad;

        var e = await Assert.ThrowsAnyAsync<BerthException>(() => Pull("app:1"));
        Assert.Contains("digest mismatch", e.Message);
        Assert.Empty(_target.Root.Images.List());
        Assert.False(_target.Root.Content.Exists(Digest.Parse(layerDigest)));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_target.Root.Path, "ingest")));
    }

    [Fact]
    public async Task InterruptedPullResumesWhatItVerified()
    {
        var image = _source.MakeImage($"{_registry.Domain}/app:1", null, Files("a", "1"), Files("b", "2"), Files("c", "3"));
        await Push("app:1", "app:1");
        var manifest = OciJson.Parse(_registry.Manifests["app:1"].Bytes, OciJson.Default.Manifest, "m");
        var last = manifest.Layers[^1].Digest.ToString();
        bool broken = true;
        _registry.Intercept = ctx =>
        {
            if (broken && ctx.Request.HttpMethod == "GET" && ctx.Request.Url!.AbsolutePath.EndsWith(last, StringComparison.Ordinal))
            {
                FakeRegistry.Error(ctx, 500, "UNKNOWN", "disk on fire");
                return true;
            }
            return false;
        };
        var one = new PullOptions { MaxConcurrentDownloads = 1 };
        await Assert.ThrowsAnyAsync<BerthException>(() => Pull("app:1", one));
        Assert.Empty(_target.Root.Images.List());
        Assert.True(_target.Root.Content.Exists(manifest.Layers[0].Digest));

        broken = false;
        var events = new Events();
        var pulled = await Pull("app:1", one, events);
        Assert.Equal(image.Id, pulled.Image.Id);
        foreach (var l in manifest.Layers.Take(2))
            Assert.Equal(1, _registry.Count("GET", "/blobs/" + l.Digest));
        Assert.Equal(2, events.Count(TransferStatus.AlreadyExists));
    }

    [Fact]
    public async Task TransientServerErrorsAreRetried()
    {
        _source.MakeImage($"{_registry.Domain}/app:1", null, Files("a", "1"));
        await Push("app:1", "app:1");
        int failures = 0;
        _registry.Intercept = ctx =>
        {
            if (ctx.Request.Url!.AbsolutePath.Contains("/blobs/") && ctx.Request.HttpMethod == "GET" && Interlocked.Increment(ref failures) <= 2)
            {
                FakeRegistry.Error(ctx, 503, "UNAVAILABLE", "try later");
                return true;
            }
            return false;
        };
        await Pull("app:1");
        Assert.True(failures > 2);
    }

    [Fact]
    public async Task MultiArchIndexPicksAmd64OrTheAskedPlatform()
    {
        var amd = _source.MakeImage($"{_registry.Domain}/multi:amd", null, Files("arch", "amd64"));
        var arm = _source.MakeImage($"{_registry.Domain}/multi:arm", new Platform { Os = "linux", Architecture = "arm64" }, Files("arch", "arm64"));
        var pa = await Push("multi:amd", "multi:amd");
        var pr = await Push("multi:arm", "multi:arm");
        var index = new ImageIndex
        {
            MediaType = MediaTypes.OciIndex,
            Manifests =
            [
                new Descriptor { MediaType = MediaTypes.OciManifest, Digest = pr.Digest, Size = pr.Size, Platform = new Platform { Os = "linux", Architecture = "arm64", Variant = "v8" } },
                new Descriptor { MediaType = MediaTypes.OciManifest, Digest = pa.Digest, Size = pa.Size, Platform = Platform.Default },
            ],
        };
        var indexBytes = OciJson.Bytes(index, OciJson.Default.ImageIndex);
        var indexDigest = _registry.AddManifest("multi", "latest", indexBytes, MediaTypes.OciIndex);

        var pulled = await Pull("multi:latest");
        Assert.Equal(amd.Id, pulled.Image.Id);
        Assert.Equal(indexDigest, pulled.Digest.ToString());

        using var other = new TestRoot();
        var armPulled = await Pull("multi:latest", new PullOptions { Platform = Platform.Parse("linux/arm64") }, into: other);
        Assert.Equal(arm.Id, armPulled.Image.Id);

        var e = await Assert.ThrowsAnyAsync<BerthException>(() => Pull("multi:latest", new PullOptions { Platform = Platform.Parse("linux/s390x") }, into: other));
        Assert.Contains("no matching manifest for linux/s390x", e.Message);
    }

    [Fact]
    public async Task ChunkedUploadFollowsLocationExactly()
    {
        var image = _source.MakeImage($"{_registry.Domain}/big:1", null, Files("r", RandomText(20_000)));
        await Push("big:1", "big:1", new PushOptions { ChunkSize = 4096 });
        Assert.True(_registry.Count("PATCH", "/blobs/uploads/") >= 2);
        Assert.Equal(image.Id, (await Pull("big:1")).Image.Id);
    }

    [Fact]
    public async Task PushSkipsWhatExistsAndMountsFromAnotherRepository()
    {
        var baseLayers = new[] { Files("base1", "b1"), Files("base2", "b2") };
        _source.MakeImage($"{_registry.Domain}/base:1", null, baseLayers);
        _source.MakeImage($"{_registry.Domain}/app:1", null, [.. baseLayers, Files("app", "new")]);
        await Push("base:1", "base:1");
        int uploadsBefore = _registry.Count("PUT", "/blobs/uploads/");

        var events = new Events();
        await Push("app:1", "app:1", events: events);
        Assert.Equal(2, events.Count(TransferStatus.Mounted));
        Assert.All(events.All.Where(e => e.Status == TransferStatus.Mounted), e => Assert.Equal("base", e.From));
        Assert.Equal(1, events.Count(TransferStatus.Pushed));
        // one new layer and the new config went up, nothing else
        Assert.Equal(uploadsBefore + 2, _registry.Count("PUT", "/blobs/uploads/"));

        var again = new Events();
        int before = _registry.Requests.Count;
        await Push("app:1", "app:1", events: again);
        Assert.Equal(3, again.Count(TransferStatus.LayerAlreadyExists));
        Assert.Equal(0, _registry.Count("POST", "/blobs/uploads/") - _registry.Requests.Take(before).Count(r => r.StartsWith("POST ") && r.Contains("/blobs/uploads/")));
    }

    [Fact]
    public async Task ZstdPushRecompressesAndPullsBackToTheSameImage()
    {
        var image = _source.MakeImage($"{_registry.Domain}/z:1", null, Files("a", RandomText(3000)), Files("b", "b"));
        await Push("z:1", "z:1", new PushOptions { Compression = Compression.Zstd });
        var manifest = OciJson.Parse(_registry.Manifests["z:1"].Bytes, OciJson.Default.Manifest, "m");
        Assert.All(manifest.Layers, l => Assert.Equal(MediaTypes.OciLayerZstd, l.MediaType));
        Assert.Equal(image.Id, (await Pull("z:1")).Image.Id);
    }

    [Fact]
    public async Task PullByDigestVerifiesTheManifest()
    {
        _source.MakeImage($"{_registry.Domain}/app:1", null, Files("a", "1"));
        var pushed = await Push("app:1", "app:1");
        _registry.Manifests[$"app:{pushed.Digest}"] = (Encoding.UTF8.GetBytes("{\"schemaVersion\":2}"), MediaTypes.OciManifest);
        var e = await Assert.ThrowsAnyAsync<BerthException>(() => Pull($"app@{pushed.Digest}"));
        Assert.Contains("digest", e.Message);
        Assert.Contains($"{_registry.Domain}/app@{pushed.Digest}", e.Message);
        Assert.Empty(_target.Root.Images.List());
    }

    [Theory]
    [InlineData(MediaTypes.DockerSchema1SignedManifest, "{\"schemaVersion\":1}", "unsupported media type")]
    [InlineData("application/vnd.example.thing+json", "{\"schemaVersion\":2}", "unsupported media type")]
    [InlineData(MediaTypes.OciManifest, "{not json", "malformed JSON")]
    public async Task BadManifestsAreOneLineErrors(string mediaType, string body, string expected)
    {
        _registry.AddManifest("bad", "1", Encoding.UTF8.GetBytes(body), mediaType);
        var e = await Assert.ThrowsAnyAsync<BerthException>(() => Pull("bad:1"));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith($"pull {_registry.Domain}/bad:1: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(_target.Root.Images.List());
    }

    [Fact]
    public async Task MissingManifestAndRefusedConnection()
    {
        var e = await Assert.ThrowsAnyAsync<BerthException>(() => Pull("nope:1"));
        Assert.Equal($"pull {_registry.Domain}/nope:1: not found: manifest unknown", e.Message);

        using var regs = Registries();
        var closed = ImageReference.Parse("127.0.0.1:1/app:1");
        var e2 = await Assert.ThrowsAnyAsync<BerthException>(() => new Puller(_target.Root, regs).PullAsync(closed));
        Assert.Equal("pull 127.0.0.1:1/app:1: cannot reach registry 127.0.0.1:1: connection refused", e2.Message);
    }

    private static string RandomText(int n)
    {
        var rng = new Random(42);
        var sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.Append((char)('a' + rng.Next(26)));
        return sb.ToString();
    }
}
