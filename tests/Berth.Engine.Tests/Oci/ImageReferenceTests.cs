using Berth.Engine.Oci;

namespace Berth.Engine.Tests.Oci;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36")]
    [InlineData("user/app", "docker.io/user/app:latest", "user/app:latest")]
    [InlineData("index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("localhost/app", "localhost/app:latest", "localhost/app:latest")]
    [InlineData("localhost:5000/a/b:tag", "localhost:5000/a/b:tag", "localhost:5000/a/b:tag")]
    [InlineData("127.0.0.1:5000/app:v1", "127.0.0.1:5000/app:v1", "127.0.0.1:5000/app:v1")]
    [InlineData("ghcr.io/org/repo/sub:1.0-rc.1", "ghcr.io/org/repo/sub:1.0-rc.1", "ghcr.io/org/repo/sub:1.0-rc.1")]
    [InlineData("a__b/c.d/e-f--g", "docker.io/a__b/c.d/e-f--g:latest", "a__b/c.d/e-f--g:latest")]
    public void NormalisesLikeDocker(string input, string full, string familiar)
    {
        var r = ImageReference.Parse(input);
        Assert.Equal(full, r.ToString());
        Assert.Equal(familiar, r.Familiar);
    }

    [Fact]
    public void DigestReferencesHaveNoDefaultTag()
    {
        var hex = new string('a', 64);
        var r = ImageReference.Parse($"busybox@sha256:{hex}");
        Assert.Null(r.Tag);
        Assert.Equal($"docker.io/library/busybox@sha256:{hex}", r.ToString());
        var both = ImageReference.Parse($"host:5000/x:1@sha256:{hex}");
        Assert.Equal("1", both.Tag);
        Assert.Equal("host:5000", both.Domain);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Busybox", "lowercase")]
    [InlineData("busybox:", "invalid tag")]
    [InlineData("busybox:-x", "invalid tag")]
    [InlineData("bus..box", "invalid repository name")]
    [InlineData("a/../b", "invalid repository name")]
    [InlineData("/busybox", "invalid repository name")]
    [InlineData("busybox@sha256:abc", "invalid digest")]
    [InlineData("host:port/x", "invalid registry host")]
    public void RejectsWithAClearReason(string input, string reason)
    {
        var e = Assert.Throws<BerthException>(() => ImageReference.Parse(input));
        Assert.Contains(reason, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TagOfMaximumLengthIsAccepted()
    {
        Assert.NotNull(ImageReference.Parse("a:" + new string('x', 128)));
        Assert.Throws<BerthException>(() => ImageReference.Parse("a:" + new string('x', 129)));
    }

    [Fact]
    public void RandomInputNeverCrashesTheParser()
    {
        var rng = new Random(1234);
        const string alphabet = "abcAZ09:/@._-+ \u00e9\0";
        for (int i = 0; i < 20000; i++)
        {
            var s = new string(Enumerable.Range(0, rng.Next(0, 40)).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToArray());
            try { ImageReference.Parse(s); } catch (BerthException) { }
        }
    }
}
