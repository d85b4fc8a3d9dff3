using System.Text;
using Berth.Engine.Oci;

namespace Berth.Engine.Tests.Oci;

public class DigestTests
{
    [Fact]
    public void ComputesSha256OfBytes()
    {
        var d = Digest.Compute(Encoding.ASCII.GetBytes("abc"));
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", d.ToString());
        Assert.Equal("ba7816bf8f01", d.Short);
    }

    [Fact]
    public void ParsesSha512AndVerifiesIt()
    {
        var hex = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
        var d = Digest.Parse("sha512:" + hex);
        Assert.Equal("sha512", d.Algorithm);
        Assert.True(d.Matches(Encoding.ASCII.GetBytes("abc")));
        Assert.False(d.Matches(Encoding.ASCII.GetBytes("abd")));
    }

    [Theory]
    [InlineData("sha256:ABC")]
    [InlineData("sha256:")]
    [InlineData(":abc")]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015aD")]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015")]
    [InlineData("SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void RejectsMalformedDigests(string text)
    {
        Assert.False(Digest.TryParse(text, out _));
        Assert.Throws<BerthException>(() => Digest.Parse(text));
    }

    [Fact]
    public void UnknownAlgorithmsParseButCannotBeVerified()
    {
        var d = Digest.Parse("blake3:abcdef");
        Assert.False(d.IsSupported);
        Assert.Throws<BerthException>(() => d.Matches([1]));
    }
}
