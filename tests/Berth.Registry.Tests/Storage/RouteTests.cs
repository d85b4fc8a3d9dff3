using Berth.Registry.Http;

namespace Berth.Registry.Tests.Storage;

public sealed class RouteTests
{
    [Theory]
    [InlineData("/v2/", RouteKind.Base, "", "")]
    [InlineData("/v2/_catalog", RouteKind.Catalog, "", "")]
    [InlineData("/v2/a/b/c/manifests/latest", RouteKind.Manifest, "a/b/c", "latest")]
    [InlineData("/v2/a/blobs/sha256:abc", RouteKind.Blob, "a", "sha256:abc")]
    [InlineData("/v2/a/blobs/uploads/", RouteKind.UploadStart, "a", "")]
    [InlineData("/v2/a/blobs/uploads", RouteKind.UploadStart, "a", "")]
    [InlineData("/v2/a/blobs/uploads/0123", RouteKind.Upload, "a", "0123")]
    [InlineData("/v2/x/blobs/blobs/sha256:1", RouteKind.Blob, "x/blobs", "sha256:1")]
    [InlineData("/v2/manifests/tags/list", RouteKind.Tags, "manifests", "")]
    [InlineData("/v2/r/referrers/sha256:1", RouteKind.Referrers, "r", "sha256:1")]
    [InlineData("/v2/manifests/x", RouteKind.NotFound, "", "")]
    [InlineData("/v3/a/manifests/x", RouteKind.NotFound, "", "")]
    public void Parses_the_resource_from_the_end_of_the_path(string path, RouteKind kind, string name, string reference)
    {
        var r = Route.Parse(path);
        Assert.Equal(kind, r.Kind);
        Assert.Equal(name, r.Name);
        Assert.Equal(reference, r.Reference);
    }
}
