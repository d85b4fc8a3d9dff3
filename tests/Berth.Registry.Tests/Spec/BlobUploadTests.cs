using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests.Spec;

/// <summary>Pushing blobs (spec: "Pushing blobs", end-4a/4b/5/6/11/13/14).</summary>
public sealed class BlobUploadTests
{
    [Fact]
    public async Task Base_endpoint_answers_200_with_the_api_version_header()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var resp = await reg.Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("registry/2.0", TestRegistry.Header(resp, "Docker-Distribution-API-Version"));
    }

    [Fact]
    public async Task Single_post_with_digest_stores_the_blob_and_answers_201_with_location()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = TestRegistry.RandomBytes(5000);
        var digest = TestRegistry.DigestOf(data);
        using var resp = await reg.Client.PostAsync($"/v2/a/b/blobs/uploads/?digest={digest}", new ByteArrayContent(data));
        Assert.Equal(HttpStatusCode.Created, resp.StatusCode);
        Assert.Equal($"/v2/a/b/blobs/{digest}", resp.Headers.Location!.OriginalString);
        Assert.Equal(digest, TestRegistry.Header(resp, "Docker-Content-Digest"));
        Assert.Equal(data, await reg.Client.GetByteArrayAsync($"/v2/a/b/blobs/{digest}"));
    }

    [Fact]
    public async Task Post_then_put_uploads_a_blob_monolithically()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = TestRegistry.RandomBytes(70_000);
        var digest = TestRegistry.DigestOf(data);
        using var start = await reg.Client.PostAsync("/v2/repo/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.OriginalString;
        Assert.StartsWith("/v2/repo/blobs/uploads/", location);
        Assert.NotNull(TestRegistry.Header(start, "Docker-Upload-UUID"));
        using var put = await reg.Client.PutAsync($"{location}?digest={digest}", new ByteArrayContent(data));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var head = await reg.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/repo/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(data.Length, head.Content.Headers.ContentLength);
        Assert.Equal(digest, TestRegistry.Header(head, "Docker-Content-Digest"));
    }

    [Fact]
    public async Task Chunks_in_order_then_closing_put_with_last_chunk()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = TestRegistry.RandomBytes(30_000);
        var digest = TestRegistry.DigestOf(data);
        using var start = await reg.Client.PostAsync("/v2/repo/blobs/uploads/", null);
        var location = start.Headers.Location!.OriginalString;
        location = await PatchAsync(reg, location, data, 0, 10_000, HttpStatusCode.Accepted, "0-9999");
        location = await PatchAsync(reg, location, data, 10_000, 10_000, HttpStatusCode.Accepted, "0-19999");

        using var status = await reg.Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-19999", TestRegistry.Header(status, "Range"));

        var last = new ByteArrayContent(data[20_000..]);
        last.Headers.TryAddWithoutValidation("Content-Range", "20000-29999");
        using var put = await reg.Client.PutAsync($"{location}?digest={digest}", last);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(data, await reg.Client.GetByteArrayAsync($"/v2/repo/blobs/{digest}"));
    }

    [Fact]
    public async Task Out_of_order_chunk_gets_416_with_the_current_range_and_the_upload_goes_on()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = TestRegistry.RandomBytes(3000);
        using var start = await reg.Client.PostAsync("/v2/repo/blobs/uploads/", null);
        var location = start.Headers.Location!.OriginalString;
        location = await PatchAsync(reg, location, data, 0, 1000, HttpStatusCode.Accepted, "0-999");
        await PatchAsync(reg, location, data, 2000, 1000, HttpStatusCode.RequestedRangeNotSatisfiable, "0-999");
        await PatchAsync(reg, location, data, 500, 1000, HttpStatusCode.RequestedRangeNotSatisfiable, "0-999");
        location = await PatchAsync(reg, location, data, 1000, 2000, HttpStatusCode.Accepted, "0-2999");
        using var put = await reg.Client.PutAsync($"{location}?digest={TestRegistry.DigestOf(data)}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task Malformed_content_range_gets_416()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var start = await reg.Client.PostAsync("/v2/repo/blobs/uploads/", null);
        var content = new ByteArrayContent(new byte[10]);
        content.Headers.TryAddWithoutValidation("Content-Range", "zero-nine");
        using var resp = await reg.Client.PatchAsync(start.Headers.Location, content);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, resp.StatusCode);
    }

    [Fact]
    public async Task Streamed_patch_without_content_range_appends()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = TestRegistry.RandomBytes(100_000);
        using var start = await reg.Client.PostAsync("/v2/repo/blobs/uploads/", null);
        using var patch = await reg.Client.PatchAsync(start.Headers.Location, new StreamContent(new MemoryStream(data)));
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal("0-99999", TestRegistry.Header(patch, "Range"));
        using var put = await reg.Client.PutAsync($"{patch.Headers.Location!.OriginalString}?digest={TestRegistry.DigestOf(data)}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task Cancelled_upload_is_gone()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var start = await reg.Client.PostAsync("/v2/repo/blobs/uploads/", null);
        using var del = await reg.Client.DeleteAsync(start.Headers.Location);
        Assert.Equal(HttpStatusCode.NoContent, del.StatusCode);
        using var status = await reg.Client.GetAsync(start.Headers.Location);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await TestRegistry.ErrorCodeAsync(status));
    }

    [Fact]
    public async Task Unknown_upload_session_is_404_blob_upload_unknown()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var resp = await reg.Client.GetAsync("/v2/repo/blobs/uploads/00000000000000000000000000000000");
        Assert.Equal(HttpStatusCode.NotFound, resp.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await TestRegistry.ErrorCodeAsync(resp));
        using var traversal = await reg.Client.GetAsync("/v2/repo/blobs/uploads/..%2F..%2Fblobs");
        Assert.Equal(HttpStatusCode.NotFound, traversal.StatusCode);
    }

    [Fact]
    public async Task Digest_mismatch_is_digest_invalid_and_stores_nothing()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = TestRegistry.RandomBytes(1000);
        var wrong = TestRegistry.DigestOf(TestRegistry.RandomBytes(10));
        using var resp = await reg.Client.PostAsync($"/v2/repo/blobs/uploads/?digest={wrong}", new ByteArrayContent(data));
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        Assert.Equal("DIGEST_INVALID", await TestRegistry.ErrorCodeAsync(resp));
        using var head = await reg.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/repo/blobs/{TestRegistry.DigestOf(data)}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(reg.Root, "blobs"), "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(reg.Root, "repositories", "repo", "_uploads")));
    }

    [Theory]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha256:abc")]
    [InlineData("nodigest")]
    public async Task Unknown_or_malformed_digests_are_digest_invalid(string digest)
    {
        await using var reg = await TestRegistry.StartAsync();
        using var post = await reg.Client.PostAsync($"/v2/repo/blobs/uploads/?digest={digest}", new ByteArrayContent([1, 2, 3]));
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal("DIGEST_INVALID", await TestRegistry.ErrorCodeAsync(post));
        using var get = await reg.Client.GetAsync($"/v2/repo/blobs/{digest}");
        Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
        Assert.Equal("DIGEST_INVALID", await TestRegistry.ErrorCodeAsync(get));
    }

    [Fact]
    public async Task Sha512_digests_work_for_blobs()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = TestRegistry.RandomBytes(4000);
        var digest = "sha512:" + Convert.ToHexStringLower(SHA512.HashData(data));
        using var start = await reg.Client.PostAsync("/v2/repo/blobs/uploads/", null);
        using var put = await reg.Client.PutAsync($"{start.Headers.Location!.OriginalString}?digest={digest}", new ByteArrayContent(data));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(data, await reg.Client.GetByteArrayAsync($"/v2/repo/blobs/{digest}"));
    }

    [Fact]
    public async Task Mount_from_a_repository_that_has_the_blob_is_201_else_202()
    {
        await using var reg = await TestRegistry.StartAsync();
        var digest = await reg.PushBlobAsync("src/repo", TestRegistry.RandomBytes(2000));
        using var mounted = await reg.Client.PostAsync($"/v2/dst/repo/blobs/uploads/?mount={digest}&from=src/repo", null);
        Assert.Equal(HttpStatusCode.Created, mounted.StatusCode);
        Assert.Equal(digest, TestRegistry.Header(mounted, "Docker-Content-Digest"));
        using var head = await reg.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/dst/repo/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);

        using var fallback = await reg.Client.PostAsync($"/v2/dst/other/blobs/uploads/?mount={digest}&from=nothere", null);
        Assert.Equal(HttpStatusCode.Accepted, fallback.StatusCode);
        Assert.Contains("/blobs/uploads/", fallback.Headers.Location!.OriginalString);
        // One copy of the bytes for both repositories.
        Assert.Single(Directory.EnumerateFiles(Path.Combine(reg.Root, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Blob_pushed_to_two_repositories_is_stored_once()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = TestRegistry.RandomBytes(10_000);
        await reg.PushBlobAsync("one", data);
        await reg.PushBlobAsync("two/x", data);
        Assert.Single(Directory.EnumerateFiles(Path.Combine(reg.Root, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Restart_in_the_middle_of_an_upload_loses_nothing()
    {
        var reg = await TestRegistry.StartAsync();
        var data = TestRegistry.RandomBytes(50_000);
        using var start = await reg.Client.PostAsync("/v2/repo/blobs/uploads/", null);
        var location = await PatchAsync(reg, start.Headers.Location!.OriginalString, data, 0, 20_000, HttpStatusCode.Accepted, "0-19999");

        reg = await reg.RestartAsync();
        await using var _ = reg;
        using var status = await reg.Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-19999", TestRegistry.Header(status, "Range"));
        location = await PatchAsync(reg, location, data, 20_000, 30_000, HttpStatusCode.Accepted, "0-49999");
        using var put = await reg.Client.PutAsync($"{location}?digest={TestRegistry.DigestOf(data)}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(data, await reg.Client.GetByteArrayAsync($"/v2/repo/blobs/{TestRegistry.DigestOf(data)}"));
    }

    internal static async Task<string> PatchAsync(TestRegistry reg, string location, byte[] data, int from, int count, HttpStatusCode want, string range)
    {
        var content = new ByteArrayContent(data, from, count);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.TryAddWithoutValidation("Content-Range", $"{from}-{from + count - 1}");
        using var resp = await reg.Client.PatchAsync(location, content);
        Assert.Equal(want, resp.StatusCode);
        Assert.Equal(range, TestRegistry.Header(resp, "Range"));
        return resp.Headers.Location?.OriginalString ?? location;
    }
}
