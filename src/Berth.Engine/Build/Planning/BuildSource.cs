using Berth.Engine.Oci;

namespace Berth.Engine.Build.Planning;

/// <summary>Where a stage starts, or where a COPY or a RUN mount reads from.</summary>
public abstract record BuildSource
{
    /// <summary>A stable text for cache keys: <c>context</c>, <c>scratch</c>, <c>stage:1</c>, <c>image:docker.io/library/x:1</c>.</summary>
    public abstract string Key { get; }
}

/// <summary>The build context (COPY without --from, bind mounts without from=).</summary>
public sealed record ContextSource : BuildSource
{
    public static ContextSource Instance { get; } = new();
    public override string Key => "context";
}

/// <summary>An empty filesystem (<c>FROM scratch</c>; cache and tmpfs mounts).</summary>
public sealed record ScratchSource : BuildSource
{
    public static ScratchSource Instance { get; } = new();
    public override string Key => "scratch";
}

/// <summary>The result of an earlier stage of the same Dockerfile.</summary>
public sealed record StageSource(int StageIndex) : BuildSource
{
    public override string Key => "stage:" + StageIndex;
}

/// <summary>An image to pull or find in the store.</summary>
public sealed record ImageSource(ImageReference Reference) : BuildSource
{
    public override string Key => "image:" + Reference;
}
