using System.Text;
using Berth.Engine.Oci;

namespace Berth.Engine.Tests.Oci;

public class ManifestTests
{
    private const string DockerManifest = """
        {
           "schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
           "config": {
              "mediaType": "application/vnd.docker.container.image.v1+json",
              "size": 1469,
              "digest": "sha256:a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824"
           },
           "layers": [
              {
                 "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                 "size": 2811969,
                 "digest": "sha256:8a49fdb3b6a5ff2bd8ec6a86c05b2922a0f7454579ecc07637e94dfd1d0639b6"
              }
           ]
        }
        """;

    [Fact]
    public void ParsesDockerSchema2AndKeepsTheBytesAsTheIdentity()
    {
        var bytes = Encoding.UTF8.GetBytes(DockerManifest);
        var m = OciJson.Parse(bytes, OciJson.Default.Manifest, "test");
        Assert.Equal(MediaTypes.DockerManifest, m.MediaType);
        Assert.Equal(Compression.Gzip, MediaTypes.LayerCompressionOf(m.Layers[0].MediaType));
        // Re-serialising changes the bytes, so a digest must always be of the original bytes.
        Assert.NotEqual(Digest.Compute(bytes), Digest.Compute(OciJson.Bytes(m, OciJson.Default.Manifest)));
    }

    [Fact]
    public void IndexesAndPlatformsParse()
    {
        var json = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824","size":10,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:8a49fdb3b6a5ff2bd8ec6a86c05b2922a0f7454579ecc07637e94dfd1d0639b6","size":10,"platform":{"architecture":"amd64","os":"linux"}}]}""";
        var index = OciJson.Parse(Encoding.UTF8.GetBytes(json), OciJson.Default.ImageIndex, "test");
        Assert.Equal(2, index.Manifests.Count);
        Assert.Equal("linux/arm64/v8", index.Manifests[0].Platform!.ToString());
        Assert.True(index.Manifests[1].Platform!.Matches(Platform.Default));
        Assert.False(index.Manifests[0].Platform!.Matches(Platform.Default));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:zz","size":1},"layers":[]}""")]
    public void MalformedDocumentsGiveOneLineErrors(string json)
    {
        var e = Assert.Throws<BerthException>(() => OciJson.Parse(Encoding.UTF8.GetBytes(json), OciJson.Default.Manifest, "manifest x"));
        Assert.StartsWith("manifest x: malformed JSON", e.Message);
    }

    [Fact]
    public void ImageConfigKeepsDockerFields()
    {
        var json = """{"architecture":"amd64","os":"linux","config":{"Env":["A=1"],"Cmd":["sh"],"Healthcheck":{"Test":["CMD","true"],"Interval":1000000000},"OnBuild":["RUN x"],"ExposedPorts":{"80/tcp":{}}},"rootfs":{"type":"layers","diff_ids":["sha256:a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824"]},"history":[{"created_by":"x","empty_layer":true}]}""";
        var c = OciJson.Parse(Encoding.UTF8.GetBytes(json), OciJson.Default.ImageConfig, "cfg");
        Assert.Equal(["CMD", "true"], c.Config!.Healthcheck!.Test);
        Assert.Contains("80/tcp", c.Config.ExposedPorts!.Keys);
        var back = Encoding.UTF8.GetString(OciJson.Bytes(c, OciJson.Default.ImageConfig));
        Assert.Contains("\"80/tcp\":{}", back);
        Assert.Contains("\"OnBuild\":[\"RUN x\"]", back);
    }
}
