using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Planning;

/// <summary>
/// What a build will do, before it does anything: the stages the target needs, in an order where
/// every stage comes after the stages it reads from, grouped into waves that may run concurrently,
/// each stage's steps with their arguments expanded and their cache key text.
/// </summary>
public sealed record BuildPlan
{
    /// <summary>Needed stages only, dependencies first (Dockerfile order among independent ones).</summary>
    public required IReadOnlyList<PlannedStage> Stages { get; init; }
    public required PlannedStage Target { get; init; }
    /// <summary>Stages grouped by depth: every stage of a wave depends only on earlier waves.</summary>
    public required IReadOnlyList<IReadOnlyList<PlannedStage>> Waves { get; init; }
    public required Platform TargetPlatform { get; init; }
    public required Platform BuildPlatform { get; init; }
    /// <summary>The global scope after ARGs before FROM (automatic platform ARGs included).</summary>
    public required IReadOnlyDictionary<string, string> GlobalArgs { get; init; }
    /// <summary>Proxy build args given but not declared: RUN sees them in its environment, cache keys do not.</summary>
    public required IReadOnlyDictionary<string, string> PredefinedArgs { get; init; }
    /// <summary>Build args that no ARG of the needed stages (or of the global scope) declared.</summary>
    public required IReadOnlyList<string> UnusedBuildArgs { get; init; }
    public IReadOnlyList<DockerfileWarning> Warnings { get; init; } = [];

    /// <summary>docker's line for <see cref="UnusedBuildArgs"/>, or null when every arg was consumed.</summary>
    public string? UnusedBuildArgsWarning =>
        UnusedBuildArgs.Count == 0 ? null : $"[Warning] One or more build-args [{string.Join(" ", UnusedBuildArgs)}] were not consumed";

    /// <summary>Total number of steps (FROM lines included), for "Step 2/7".</summary>
    public int StepCount => Stages.Sum(s => s.Steps.Count + 1);
}

/// <summary>One needed stage of the plan.</summary>
public sealed record PlannedStage
{
    /// <summary>Position in the Dockerfile (what <c>COPY --from=1</c> names).</summary>
    public required int Index { get; init; }
    /// <summary>The <c>AS</c> name, or null.</summary>
    public string? Name { get; init; }
    /// <summary>The name, or <c>stage-N</c>.</summary>
    public string DisplayName => Name ?? "stage-" + Index;
    public required FromInstruction From { get; init; }
    /// <summary><see cref="ScratchSource"/>, <see cref="StageSource"/> or <see cref="ImageSource"/>.</summary>
    public required BuildSource Base { get; init; }
    /// <summary>The FROM line's <c>--platform</c>, expanded, or null.</summary>
    public Platform? Platform { get; init; }
    /// <summary>Stages this one reads from (base, COPY --from, RUN --mount from=), ascending.</summary>
    public required IReadOnlyList<int> DependsOn { get; init; }
    /// <summary>Images COPY --from or RUN --mount from= read, besides the base.</summary>
    public required IReadOnlyList<ImageReference> ImageDependencies { get; init; }
    /// <summary>The stage's steps: inherited ONBUILD triggers first, then its instructions.</summary>
    public required IReadOnlyList<PlannedStep> Steps { get; init; }
    public SourceLocation Location => From.Location;
}

/// <summary>
/// One step: the instruction, the same instruction with its arguments expanded, the build args in
/// scope, and <see cref="CacheKey"/>: a stable text of everything about the step that decides its
/// result apart from its parent state and the content of files it copies. The executor hashes
/// (parent state, CacheKey, file checksums); the parent state must include the image config, since
/// SHELL, WORKDIR, USER and ENV shape what a RUN does.
/// </summary>
public sealed record PlannedStep
{
    public required Instruction Instruction { get; init; }
    /// <summary>The instruction with builder-expanded arguments (ENV, LABEL, COPY, ADD, WORKDIR, USER, VOLUME, EXPOSE, STOPSIGNAL; RUN mounts).</summary>
    public required Instruction Expanded { get; init; }
    /// <summary>Inherited from the base's ONBUILD list rather than written in this stage.</summary>
    public bool IsOnBuildTrigger { get; init; }
    /// <summary>Declared ARGs with a value, not shadowed by ENV, sorted by name: the build-time environment RUN adds.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> BuildArgs { get; init; }
    /// <summary>For COPY and ADD: where files come from.</summary>
    public BuildSource? CopySource { get; init; }
    /// <summary>For RUN: the parsed, expanded --mount options with their sources.</summary>
    public IReadOnlyList<PlannedMount> Mounts { get; init; } = [];
    /// <summary>For EXPOSE: the ports as the config stores them (<c>80/tcp</c>).</summary>
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];
    public required string CacheKey { get; init; }

    public override string ToString() => Expanded.Original;
}

/// <summary>A RUN mount and what it mounts from.</summary>
public sealed record PlannedMount(RunMount Mount, BuildSource Source);
