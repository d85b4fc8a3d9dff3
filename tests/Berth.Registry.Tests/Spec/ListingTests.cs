using System.Net;
using System.Text.Json;
using Berth.Engine.Oci;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests.Spec;

/// <summary>Tag lists, the catalog and referrers (spec: end-8a/8b, end-12a/12b, _catalog).</summary>
public sealed class ListingTests
{
    [Fact]
    public async Task Tags_are_listed_in_order_and_paginated_with_link_headers()
    {
        await using var reg = await TestRegistry.StartAsync();
        var img = await reg.PushImageAsync("r", "b");
        foreach (var tag in new[] { "a", "c", "B", "d" })
        {
            using var put = await reg.PutManifestAsync("r", tag, img.Manifest, MediaTypes.OciManifest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        Assert.Equal(["B", "a", "b", "c", "d"], await TagsAsync(reg, "/v2/r/tags/list"));

        using var page1 = await reg.Client.GetAsync("/v2/r/tags/list?n=2");
        Assert.Equal(["B", "a"], Names(await page1.Content.ReadAsStringAsync(), "tags"));
        var link = TestRegistry.Header(page1, "Link")!;
        Assert.Equal("</v2/r/tags/list?last=a&n=2>; rel=\"next\"", link);
        Assert.Equal(["b", "c"], await TagsAsync(reg, "/v2/r/tags/list?last=a&n=2"));
        using var last = await reg.Client.GetAsync("/v2/r/tags/list?last=c&n=2");
        Assert.Equal(["d"], Names(await last.Content.ReadAsStringAsync(), "tags"));
        Assert.Null(TestRegistry.Header(last, "Link"));
        Assert.Empty(await TagsAsync(reg, "/v2/r/tags/list?n=0"));
        Assert.Equal(["c", "d"], await TagsAsync(reg, "/v2/r/tags/list?last=b"));
    }

    [Fact]
    public async Task Tags_of_an_unknown_repository_is_404_name_unknown()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var resp = await reg.Client.GetAsync("/v2/nothing/here/tags/list");
        Assert.Equal(HttpStatusCode.NotFound, resp.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await TestRegistry.ErrorCodeAsync(resp));
        await reg.PushImageAsync("r", "t", layers: 0);
        using var bad = await reg.Client.GetAsync("/v2/r/tags/list?n=-1");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Catalog_lists_repositories_in_order_with_pagination()
    {
        await using var reg = await TestRegistry.StartAsync();
        foreach (var repo in new[] { "zeta", "alpha/one", "alpha", "mid/x/y" })
            await reg.PushImageAsync(repo, "1", layers: 0);
        using var all = await reg.Client.GetAsync("/v2/_catalog");
        Assert.Equal(["alpha", "alpha/one", "mid/x/y", "zeta"], Names(await all.Content.ReadAsStringAsync(), "repositories"));
        using var page = await reg.Client.GetAsync("/v2/_catalog?n=3");
        Assert.Equal(["alpha", "alpha/one", "mid/x/y"], Names(await page.Content.ReadAsStringAsync(), "repositories"));
        Assert.Equal("</v2/_catalog?last=mid%2Fx%2Fy&n=3>; rel=\"next\"", TestRegistry.Header(page, "Link"));
        using var next = await reg.Client.GetAsync("/v2/_catalog?n=3&last=mid/x/y");
        Assert.Equal(["zeta"], Names(await next.Content.ReadAsStringAsync(), "repositories"));
    }

    [Fact]
    public async Task Referrers_list_manifests_whose_subject_is_the_digest_with_artifact_type_filter()
    {
        await using var reg = await TestRegistry.StartAsync();
        var image = await reg.PushImageAsync("r", "v1");
        var sbom = await reg.PushImageAsync("r", "sbom", layers: 1, subject: image.Digest, artifactType: "application/vnd.example.sbom",
            annotations: new() { ["org.example.kind"] = "sbom" });
        var sig = await reg.PushImageAsync("r", "sig", layers: 1, subject: image.Digest);

        using var put = await reg.PutManifestAsync("r", "sbom2", sbom.Manifest, MediaTypes.OciManifest);
        Assert.Equal(image.Digest, TestRegistry.Header(put, "OCI-Subject"));

        using var all = await reg.Client.GetAsync($"/v2/r/referrers/{image.Digest}");
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal(MediaTypes.OciIndex, all.Content.Headers.ContentType!.MediaType);
        using var doc = JsonDocument.Parse(await all.Content.ReadAsStringAsync());
        var manifests = doc.RootElement.GetProperty("manifests").EnumerateArray().ToList();
        Assert.Equal(2, manifests.Count);
        var sbomEntry = manifests.Single(m => m.GetProperty("digest").GetString() == sbom.Digest);
        Assert.Equal("application/vnd.example.sbom", sbomEntry.GetProperty("artifactType").GetString());
        Assert.Equal("sbom", sbomEntry.GetProperty("annotations").GetProperty("org.example.kind").GetString());
        Assert.Equal(sbom.Manifest.Length, sbomEntry.GetProperty("size").GetInt32());
        var sigEntry = manifests.Single(m => m.GetProperty("digest").GetString() == sig.Digest);
        Assert.Equal(MediaTypes.OciConfig, sigEntry.GetProperty("artifactType").GetString());

        using var filtered = await reg.Client.GetAsync($"/v2/r/referrers/{image.Digest}?artifactType=application/vnd.example.sbom");
        Assert.Equal("artifactType", TestRegistry.Header(filtered, "OCI-Filters-Applied"));
        using var fdoc = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync());
        Assert.Equal(sbom.Digest, fdoc.RootElement.GetProperty("manifests").EnumerateArray().Single().GetProperty("digest").GetString());
    }

    [Fact]
    public async Task Referrers_of_a_digest_without_any_is_an_empty_index_and_bad_digest_is_400()
    {
        await using var reg = await TestRegistry.StartAsync();
        await reg.PushImageAsync("r", "v1");
        using var none = await reg.Client.GetAsync($"/v2/r/referrers/{TestRegistry.DigestOf([1])}");
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        using var doc = JsonDocument.Parse(await none.Content.ReadAsStringAsync());
        Assert.Empty(doc.RootElement.GetProperty("manifests").EnumerateArray());
        using var bad = await reg.Client.GetAsync("/v2/r/referrers/sha256:xyz");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_referrer_removes_it_from_the_list()
    {
        await using var reg = await TestRegistry.StartAsync();
        var image = await reg.PushImageAsync("r", "v1");
        var sig = await reg.PushImageAsync("r", "sig", layers: 0, subject: image.Digest);
        using var del = await reg.Client.DeleteAsync($"/v2/r/manifests/{sig.Digest}");
        Assert.Equal(HttpStatusCode.Accepted, del.StatusCode);
        using var list = await reg.Client.GetAsync($"/v2/r/referrers/{image.Digest}");
        using var doc = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        Assert.Empty(doc.RootElement.GetProperty("manifests").EnumerateArray());
    }

    private static async Task<List<string>> TagsAsync(TestRegistry reg, string url) =>
        Names(await reg.Client.GetStringAsync(url), "tags");

    private static List<string> Names(string json, string property)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty(property).EnumerateArray().Select(e => e.GetString()!).ToList();
    }
}
