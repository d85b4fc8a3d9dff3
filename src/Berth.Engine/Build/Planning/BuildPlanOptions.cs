using Berth.Engine.Oci;

namespace Berth.Engine.Build.Planning;

/// <summary>What the planner needs to know of a base image: its environment and ONBUILD triggers.</summary>
public sealed record BaseImageInfo(IReadOnlyList<string> Env, IReadOnlyList<string> OnBuild)
{
    public static BaseImageInfo Empty { get; } = new([], []);

    public static BaseImageInfo FromConfig(ImageConfig config) =>
        new(config.Config?.Env ?? [], config.Config?.OnBuild ?? []);
}

/// <summary>
/// Looks up base images while planning (BuildKit resolves image configs at this point too): ENV
/// values such as <c>$PATH</c> expand against the base image's environment, and its ONBUILD
/// triggers become the first steps of the stage. May pull; throws for a missing image.
/// </summary>
public interface IBaseImageResolver
{
    Task<BaseImageInfo> ResolveAsync(ImageReference reference, Platform platform, CancellationToken cancellationToken);
}

public sealed record BuildPlanOptions
{
    /// <summary>The platform images are built for (<c>--platform</c>); the build platform when null.</summary>
    public Platform? TargetPlatform { get; init; }
    /// <summary>The platform of this machine.</summary>
    public Platform BuildPlatform { get; init; } = HostPlatform;
    /// <summary>Base image lookup; without one, base images have an empty environment and no triggers.</summary>
    public IBaseImageResolver? BaseImages { get; init; }

    public static Platform HostPlatform { get; } = new()
    {
        Os = "linux",
        Architecture = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
            System.Runtime.InteropServices.Architecture.Arm => "arm",
            System.Runtime.InteropServices.Architecture.X86 => "386",
            System.Runtime.InteropServices.Architecture.S390x => "s390x",
            System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
            System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
            _ => "amd64",
        },
    };
}
