using System.Net;
using System.Net.Sockets;
using System.Text;
using Berth.Engine.Oci;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests.Spec;

/// <summary>Untrusted input: names, paths, sizes and abandoned uploads; the server answers with the spec's error and keeps serving.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("/v2/UPPER/manifests/latest")]
    [InlineData("/v2/a/-b/manifests/latest")]
    [InlineData("/v2/a__b__/manifests/latest")]
    [InlineData("/v2/a%2F..%2F..%2Fetc/manifests/latest")]
    [InlineData("/v2/_uploads/manifests/latest")]
    public async Task Invalid_repository_names_are_name_invalid(string path)
    {
        await using var reg = await TestRegistry.StartAsync();
        using var resp = await reg.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        Assert.Equal("NAME_INVALID", await TestRegistry.ErrorCodeAsync(resp));
    }

    [Fact]
    public async Task Overlong_repository_name_is_name_invalid()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var resp = await reg.Client.GetAsync($"/v2/{new string('a', 256)}/tags/list");
        Assert.Equal("NAME_INVALID", await TestRegistry.ErrorCodeAsync(resp));
    }

    [Theory]
    [InlineData("/v2/../../etc/passwd")]
    [InlineData("/v2/r/blobs/sha256:..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/v2/r/manifests/..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/v2/r/../../../../etc/passwd/manifests/x")]
    public async Task Path_traversal_never_reaches_outside_the_root(string path)
    {
        await using var reg = await TestRegistry.StartAsync();
        await reg.PushImageAsync("r", "t", layers: 0);
        using var resp = await reg.Client.GetAsync(path);
        Assert.True((int)resp.StatusCode is 400 or 404, $"{path}: {resp.StatusCode}");
        Assert.DoesNotContain("root:", await resp.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Invalid_tag_in_a_push_is_refused()
    {
        await using var reg = await TestRegistry.StartAsync();
        var config = await reg.PushBlobAsync("r", "{}"u8.ToArray());
        using var resp = await reg.PutManifestAsync("r", "-bad", TestRegistry.ManifestJson(config, 2, []), MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await TestRegistry.ErrorCodeAsync(resp));
    }

    [Fact]
    public async Task Huge_content_length_is_refused_before_any_byte_is_read()
    {
        await using var reg = await TestRegistry.StartAsync(o => o with { MaxBlobSize = 1 << 20 });
        using var start = await reg.Client.PostAsync("/v2/r/blobs/uploads/", null);
        var location = start.Headers.Location!.OriginalString;
        var uri = new Uri(reg.Server.BaseAddress);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var stream = tcp.GetStream();
        var request = $"PATCH {location} HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Type: application/octet-stream\r\nContent-Length: 9223372036854775000\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var buf = new byte[4096];
        int n = await stream.ReadAsync(buf);
        var answer = Encoding.ASCII.GetString(buf, 0, n);
        Assert.StartsWith("HTTP/1.1 413", answer);
        Assert.Contains("SIZE_INVALID", answer);

        using var ping = await reg.Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        using var status = await reg.Client.GetAsync(location);
        Assert.Equal("0-0", TestRegistry.Header(status, "Range"));
    }

    [Fact]
    public async Task Upload_over_the_blob_limit_by_streaming_is_cut_off()
    {
        await using var reg = await TestRegistry.StartAsync(o => o with { MaxBlobSize = 1000 });
        using var start = await reg.Client.PostAsync("/v2/r/blobs/uploads/", null);
        var chunked = new StreamContent(new MemoryStream(new byte[5000]));
        using var req = new HttpRequestMessage(HttpMethod.Patch, start.Headers.Location) { Content = chunked };
        req.Headers.TransferEncodingChunked = true;
        using var resp = await reg.Client.SendAsync(req);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, resp.StatusCode);
        using var status = await reg.Client.GetAsync(start.Headers.Location);
        Assert.Equal("0-0", TestRegistry.Header(status, "Range"));
    }

    [Fact]
    public async Task Upload_abandoned_half_way_leaves_the_session_as_it_was()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var start = await reg.Client.PostAsync("/v2/r/blobs/uploads/", null);
        var location = start.Headers.Location!.OriginalString;
        var uri = new Uri(reg.Server.BaseAddress);
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(uri.Host, uri.Port);
            var stream = tcp.GetStream();
            var head = $"PATCH {location} HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Range: 0-99999\r\nContent-Length: 100000\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(new byte[40_000]);
            await stream.FlushAsync();
            await Task.Delay(200);
        }
        // The server notices the dropped connection and cuts the partial chunk off again.
        string? range = null;
        for (int i = 0; i < 50 && range != "0-0"; i++)
        {
            await Task.Delay(100);
            using var status = await reg.Client.GetAsync(location);
            range = TestRegistry.Header(status, "Range");
        }
        Assert.Equal("0-0", range);
        var data = TestRegistry.RandomBytes(100);
        var content = new ByteArrayContent(data);
        using var put = await reg.Client.PutAsync($"{location}?digest={TestRegistry.DigestOf(data)}", content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task Unknown_endpoints_are_404_and_wrong_methods_405()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var nowhere = await reg.Client.GetAsync("/v3/");
        Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
        using var wrong = await reg.Client.PostAsync("/v2/r/manifests/latest", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrong.StatusCode);
        Assert.Equal("UNSUPPORTED", await TestRegistry.ErrorCodeAsync(wrong));
    }

    [Fact]
    public async Task Read_only_registry_serves_pulls_and_refuses_pushes()
    {
        var root = Directory.CreateTempSubdirectory("berth-registry-test-").FullName;
        TestImage img;
        await using (var rw = await TestRegistry.StartAsync(root: root))
        {
            rw.KeepRoot = true;
            img = await rw.PushImageAsync("r", "v1");
        }
        await using var ro = await TestRegistry.StartAsync(o => o with { ReadOnly = true }, root);
        using var get = await ro.Client.GetAsync("/v2/r/manifests/v1");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        using var post = await ro.Client.PostAsync("/v2/r/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal("UNSUPPORTED", await TestRegistry.ErrorCodeAsync(post));
        using var del = await ro.Client.DeleteAsync($"/v2/r/manifests/{img.Digest}");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, del.StatusCode);
    }

    [Fact]
    public async Task Metrics_count_requests_bytes_and_errors()
    {
        await using var reg = await TestRegistry.StartAsync();
        await reg.PushImageAsync("r", "v1");
        (await reg.Client.GetAsync("/v2/r/manifests/v1")).Dispose();
        (await reg.Client.GetAsync("/v2/r/manifests/nope")).Dispose();
        var text = await reg.Client.GetStringAsync("/metrics");
        Assert.Contains("berth_registry_http_requests_total{method=\"GET\",route=\"manifest\",status=\"200\"} 1", text);
        Assert.Contains("berth_registry_errors_total{code=\"MANIFEST_UNKNOWN\"} 1", text);
        Assert.Matches(@"berth_registry_bytes_received_total [1-9]\d*", text);
        Assert.Matches(@"berth_registry_bytes_sent_total [1-9]\d*", text);
    }
}
