using Berth.Engine.Build.Cache;
using Berth.Engine.Oci;

namespace Berth.Engine.Tests.Build.Execution;

public class CacheKeysTests
{
    private static readonly Digest Parent = Digest.Compute("parent"u8);

    [Fact]
    public void Equal_parts_give_equal_keys_and_any_change_a_different_one()
    {
        var key = CacheKeys.Step(Parent, "{\"op\":\"RUN\"}", null);
        Assert.Equal(key, CacheKeys.Step(Parent, "{\"op\":\"RUN\"}", null));
        Assert.Equal(key, CacheKeys.Step(Parent, "{\"op\":\"RUN\"}", ""));
        Assert.NotEqual(key, CacheKeys.Step(Digest.Compute("other"u8), "{\"op\":\"RUN\"}", null));
        Assert.NotEqual(key, CacheKeys.Step(Parent, "{\"op\":\"RUN \"}", null));
        Assert.NotEqual(key, CacheKeys.Step(Parent, "{\"op\":\"RUN\"}", "context:abc"));
        Assert.Matches("^sha256:[0-9a-f]{64}$", key);
    }

    [Fact]
    public void Parts_cannot_run_into_each_other()
    {
        Assert.NotEqual(CacheKeys.Step(Parent, "ab", "c"), CacheKeys.Step(Parent, "a", "bc"));
    }
}
