using Berth.Engine.Images;
using Berth.Engine.Oci;

namespace Berth.Engine.Tests.Images;

public class ChainIdTests
{
    [Fact]
    public void FollowsTheImageSpecDefinition()
    {
        var a = Digest.Compute("a"u8);
        var b = Digest.Compute("b"u8);
        var c = Digest.Compute("c"u8);
        var chain = ChainId.Compute([a, b, c]);
        Assert.Equal(a, chain[0]);
        var ab = Digest.Compute(System.Text.Encoding.ASCII.GetBytes($"{a} {b}"));
        Assert.Equal(ab, chain[1]);
        Assert.Equal(Digest.Compute(System.Text.Encoding.ASCII.GetBytes($"{ab} {c}")), chain[2]);
    }
}
