using Berth.Engine.Build.Execution.Sources;
using Berth.Engine.Build.Planning;
using Berth.Engine.Images;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution;

/// <summary>Everything one <c>build</c> is asked to do.</summary>
public sealed record BuildRequest
{
    public required BuildContext Context { get; init; }
    public required string DockerfileText { get; init; }
    /// <summary>The name errors show (<c>Dockerfile</c>, <c>app/Dockerfile</c>).</summary>
    public string DockerfileName { get; init; } = "Dockerfile";
    public IReadOnlyList<ImageReference> Tags { get; init; } = [];
    public BuildArgs Args { get; init; } = BuildArgs.Empty;
    public string? Target { get; init; }
    public bool NoCache { get; init; }
    /// <summary><c>--label</c>s, applied as a last LABEL step of the target stage (docker's classic builder does so).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];
    /// <summary>RUN's network: <c>default</c> (the default bridge network), <c>none</c> or <c>host</c>.</summary>
    public string Network { get; init; } = "default";
    public Platform? Platform { get; init; }
}

/// <summary>The image a build made (its ID is the config digest), and how many steps came from the cache.</summary>
public sealed record BuildResult(ImageRecord Image, int Steps, int CachedSteps);
