using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Berth.Engine.Oci;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests.Spec;

/// <summary>Pushing and pulling manifests (spec: end-3, end-7) and what a push must refuse.</summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task Manifest_pushed_by_tag_is_pulled_byte_for_byte_by_tag_and_by_digest()
    {
        await using var reg = await TestRegistry.StartAsync();
        var img = await reg.PushImageAsync("team/app", "v1");
        foreach (var reference in new[] { "v1", img.Digest })
        {
            using var get = await reg.Client.GetAsync($"/v2/team/app/manifests/{reference}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(img.Manifest, await get.Content.ReadAsByteArrayAsync());
            Assert.Equal(MediaTypes.OciManifest, get.Content.Headers.ContentType!.MediaType);
            Assert.Equal(img.Digest, TestRegistry.Header(get, "Docker-Content-Digest"));
            Assert.Equal(img.Manifest.Length, get.Content.Headers.ContentLength);

            using var head = await reg.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/team/app/manifests/{reference}"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(img.Manifest.Length, head.Content.Headers.ContentLength);
            Assert.Equal(img.Digest, TestRegistry.Header(head, "Docker-Content-Digest"));
        }
    }

    [Fact]
    public async Task Put_answers_201_with_location_and_digest()
    {
        await using var reg = await TestRegistry.StartAsync();
        var config = await reg.PushBlobAsync("r", "{}"u8.ToArray());
        var body = TestRegistry.ManifestJson(config, 2, []);
        using var resp = await reg.PutManifestAsync("r", "latest", body, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.Created, resp.StatusCode);
        Assert.Equal(TestRegistry.DigestOf(body), TestRegistry.Header(resp, "Docker-Content-Digest"));
        Assert.Equal($"/v2/r/manifests/{TestRegistry.DigestOf(body)}", resp.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Put_by_digest_must_match_the_body()
    {
        await using var reg = await TestRegistry.StartAsync();
        var config = await reg.PushBlobAsync("r", "{}"u8.ToArray());
        var body = TestRegistry.ManifestJson(config, 2, []);
        using var ok = await reg.PutManifestAsync("r", TestRegistry.DigestOf(body), body, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        using var bad = await reg.PutManifestAsync("r", TestRegistry.DigestOf([1]), body, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("DIGEST_INVALID", await TestRegistry.ErrorCodeAsync(bad));
    }

    [Fact]
    public async Task Manifest_naming_blobs_the_repository_lacks_is_refused_and_not_stored()
    {
        await using var reg = await TestRegistry.StartAsync();
        var config = await reg.PushBlobAsync("r", "{}"u8.ToArray());
        var otherRepoLayer = await reg.PushBlobAsync("elsewhere", TestRegistry.RandomBytes(100));
        var body = TestRegistry.ManifestJson(config, 2, [(otherRepoLayer, 100)]);
        using var resp = await reg.PutManifestAsync("r", "t", body, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await TestRegistry.ErrorCodeAsync(resp));
        Assert.Contains(otherRepoLayer, await resp.Content.ReadAsStringAsync());
        using var get = await reg.Client.GetAsync("/v2/r/manifests/t");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Index_needs_its_child_manifests_in_the_repository()
    {
        await using var reg = await TestRegistry.StartAsync();
        var img = await reg.PushImageAsync("r", "amd64");
        var index = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.OciIndex}}}","manifests":[{"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"{{{img.Digest}}}","size":{{{img.Manifest.Length}}},"platform":{"architecture":"amd64","os":"linux"}}]}""");
        using var ok = await reg.PutManifestAsync("r", "multi", index, MediaTypes.OciIndex);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        using var get = await reg.Client.GetAsync("/v2/r/manifests/multi");
        Assert.Equal(MediaTypes.OciIndex, get.Content.Headers.ContentType!.MediaType);

        var missing = index.AsSpan().ToArray();
        var text = Encoding.UTF8.GetString(missing).Replace(img.Digest, TestRegistry.DigestOf([9]));
        using var bad = await reg.PutManifestAsync("r", "broken", Encoding.UTF8.GetBytes(text), MediaTypes.OciIndex);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await TestRegistry.ErrorCodeAsync(bad));
    }

    [Fact]
    public async Task Docker_schema2_manifest_and_manifest_list_are_accepted()
    {
        await using var reg = await TestRegistry.StartAsync();
        var config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}"u8.ToArray();
        var configDigest = await reg.PushBlobAsync("d", config);
        var layer = TestRegistry.RandomBytes(300);
        var layerDigest = await reg.PushBlobAsync("d", layer);
        var manifest = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.DockerManifest}}}","config":{"mediaType":"{{{MediaTypes.DockerConfig}}}","size":{{{config.Length}}},"digest":"{{{configDigest}}}"},"layers":[{"mediaType":"{{{MediaTypes.DockerLayerGzip}}}","size":300,"digest":"{{{layerDigest}}}"}]}""");
        using var put = await reg.PutManifestAsync("d", "1", manifest, MediaTypes.DockerManifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var list = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.DockerManifestList}}}","manifests":[{"mediaType":"{{{MediaTypes.DockerManifest}}}","size":{{{manifest.Length}}},"digest":"{{{TestRegistry.DigestOf(manifest)}}}","platform":{"architecture":"amd64","os":"linux"}}]}""");
        using var putList = await reg.PutManifestAsync("d", "list", list, MediaTypes.DockerManifestList);
        Assert.Equal(HttpStatusCode.Created, putList.StatusCode);
        using var get = await reg.Client.GetAsync("/v2/d/manifests/1");
        Assert.Equal(MediaTypes.DockerManifest, get.Content.Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[]")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}")]
    [InlineData("{\"schemaVersion\":1,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"size\":1},\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"x\",\"digest\":\"not-a-digest\",\"size\":1},\"layers\":[]}")]
    public async Task Malformed_manifests_are_manifest_invalid(string body)
    {
        await using var reg = await TestRegistry.StartAsync();
        using var resp = await reg.PutManifestAsync("r", "t", Encoding.UTF8.GetBytes(body), MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await TestRegistry.ErrorCodeAsync(resp));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(reg.Root, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Content_type_that_contradicts_the_media_type_field_is_refused()
    {
        await using var reg = await TestRegistry.StartAsync();
        var config = await reg.PushBlobAsync("r", "{}"u8.ToArray());
        using var resp = await reg.PutManifestAsync("r", "t", TestRegistry.ManifestJson(config, 2, []), MediaTypes.DockerManifest);
        Assert.Equal("MANIFEST_INVALID", await TestRegistry.ErrorCodeAsync(resp));
    }

    [Fact]
    public async Task Manifest_over_the_size_limit_is_413_and_the_server_keeps_serving()
    {
        await using var reg = await TestRegistry.StartAsync(o => o with { MaxManifestSize = 1024 });
        var big = new byte[4096];
        Array.Fill(big, (byte)' ');
        using var resp = await reg.PutManifestAsync("r", "t", big, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, resp.StatusCode);
        Assert.Equal("SIZE_INVALID", await TestRegistry.ErrorCodeAsync(resp));
        var chunked = new StreamContent(new MemoryStream(big));
        chunked.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
        using var req = new HttpRequestMessage(HttpMethod.Put, "/v2/r/manifests/t") { Content = chunked };
        req.Headers.TransferEncodingChunked = true;
        using var resp2 = await reg.Client.SendAsync(req);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, resp2.StatusCode);
        using var ping = await reg.Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public async Task Unknown_manifest_is_404_manifest_unknown_and_unknown_repository_404()
    {
        await using var reg = await TestRegistry.StartAsync();
        await reg.PushImageAsync("r", "t");
        using var missing = await reg.Client.GetAsync("/v2/r/manifests/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await TestRegistry.ErrorCodeAsync(missing));
        using var noRepo = await reg.Client.GetAsync("/v2/no/such/manifests/t");
        Assert.Equal(HttpStatusCode.NotFound, noRepo.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await TestRegistry.ErrorCodeAsync(noRepo));
    }

    [Fact]
    public async Task Tag_can_be_moved_to_another_manifest()
    {
        await using var reg = await TestRegistry.StartAsync();
        await reg.PushImageAsync("r", "latest");
        var second = await reg.PushImageAsync("r", "latest");
        using var get = await reg.Client.GetAsync("/v2/r/manifests/latest");
        Assert.Equal(second.Digest, TestRegistry.Header(get, "Docker-Content-Digest"));
    }
}
