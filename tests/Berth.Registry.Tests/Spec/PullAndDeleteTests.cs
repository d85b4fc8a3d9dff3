using System.Net;
using System.Net.Http.Headers;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests.Spec;

/// <summary>Pulling blobs with ranges (end-2) and content management (end-9, end-10).</summary>
public sealed class PullAndDeleteTests
{
    [Fact]
    public async Task Blob_ranges_give_206_with_content_range_and_416_when_outside()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = TestRegistry.RandomBytes(1000);
        var digest = await reg.PushBlobAsync("r", data);

        async Task<HttpResponseMessage> Get(string range)
        {
            var req = new HttpRequestMessage(HttpMethod.Get, $"/v2/r/blobs/{digest}");
            req.Headers.TryAddWithoutValidation("Range", range);
            return await reg.Client.SendAsync(req);
        }

        using var mid = await Get("bytes=100-199");
        Assert.Equal(HttpStatusCode.PartialContent, mid.StatusCode);
        Assert.Equal(data[100..200], await mid.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes 100-199/1000", mid.Content.Headers.ContentRange!.ToString());
        using var tail = await Get("bytes=900-");
        Assert.Equal(data[900..], await tail.Content.ReadAsByteArrayAsync());
        using var suffix = await Get("bytes=-10");
        Assert.Equal(data[990..], await suffix.Content.ReadAsByteArrayAsync());
        using var outside = await Get("bytes=5000-6000");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, outside.StatusCode);
        using var whole = await reg.Client.GetAsync($"/v2/r/blobs/{digest}");
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());
        Assert.Equal(data, await whole.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Unknown_blob_is_404_blob_unknown_also_when_it_is_in_another_repository()
    {
        await using var reg = await TestRegistry.StartAsync();
        var digest = await reg.PushBlobAsync("other", TestRegistry.RandomBytes(10));
        await reg.PushBlobAsync("r", TestRegistry.RandomBytes(10));
        using var resp = await reg.Client.GetAsync($"/v2/r/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, resp.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await TestRegistry.ErrorCodeAsync(resp));
    }

    [Fact]
    public async Task Deleting_a_manifest_by_digest_removes_it_and_its_tags()
    {
        await using var reg = await TestRegistry.StartAsync();
        var img = await reg.PushImageAsync("r", "v1");
        using var del = await reg.Client.DeleteAsync($"/v2/r/manifests/{img.Digest}");
        Assert.Equal(HttpStatusCode.Accepted, del.StatusCode);
        foreach (var reference in new[] { img.Digest, "v1" })
        {
            using var get = await reg.Client.GetAsync($"/v2/r/manifests/{reference}");
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }
        using var again = await reg.Client.DeleteAsync($"/v2/r/manifests/{img.Digest}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await TestRegistry.ErrorCodeAsync(again));
    }

    [Fact]
    public async Task Deleting_a_tag_keeps_the_manifest()
    {
        await using var reg = await TestRegistry.StartAsync();
        var img = await reg.PushImageAsync("r", "v1");
        using var del = await reg.Client.DeleteAsync("/v2/r/manifests/v1");
        Assert.Equal(HttpStatusCode.Accepted, del.StatusCode);
        using var byTag = await reg.Client.GetAsync("/v2/r/manifests/v1");
        Assert.Equal(HttpStatusCode.NotFound, byTag.StatusCode);
        using var byDigest = await reg.Client.GetAsync($"/v2/r/manifests/{img.Digest}");
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_blob_unlinks_it_from_the_repository()
    {
        await using var reg = await TestRegistry.StartAsync();
        var digest = await reg.PushBlobAsync("r", TestRegistry.RandomBytes(100));
        using var del = await reg.Client.DeleteAsync($"/v2/r/blobs/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, del.StatusCode);
        using var get = await reg.Client.GetAsync($"/v2/r/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using var again = await reg.Client.DeleteAsync($"/v2/r/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Manifest_get_honours_if_none_match()
    {
        await using var reg = await TestRegistry.StartAsync();
        var img = await reg.PushImageAsync("r", "v1");
        var req = new HttpRequestMessage(HttpMethod.Get, "/v2/r/manifests/v1");
        req.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{img.Digest}\""));
        using var resp = await reg.Client.SendAsync(req);
        Assert.Equal(HttpStatusCode.NotModified, resp.StatusCode);
    }
}
