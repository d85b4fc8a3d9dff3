namespace Berth.Engine.Build.Execution;

/// <summary>
/// One step as the user sees it: <c>Step 2/7 : RUN make</c>. <see cref="StageOrdinal"/> is the
/// stage's position among the stages built (stages of one wave run concurrently).
/// </summary>
public sealed record BuildStep(int Number, int Total, int StageOrdinal, string StageName, string Text);

/// <summary>
/// What a build reports as it goes, in the classic builder's vocabulary. Calls may come from
/// several threads at once (stages of a wave run concurrently); implementations serialise.
/// </summary>
public interface IBuildProgress
{
    /// <summary>The stages that will run, in order (for renderers that keep concurrent stages apart).</summary>
    void Started(IReadOnlyList<string> stages);
    void StepStarted(BuildStep step);
    /// <summary>The step's result came from the cache.</summary>
    void CacheHit(BuildStep step);
    /// <summary>A RUN started its container.</summary>
    void Running(BuildStep step, string containerId);
    /// <summary>Output of the RUN's process (stdout and stderr as they come).</summary>
    void Output(BuildStep step, ReadOnlySpan<byte> data);
    /// <summary>A RUN's container is gone.</summary>
    void Removed(BuildStep step, string containerId);
    /// <summary>The step is done; <paramref name="imageId"/> names the state after it (null for an empty scratch start).</summary>
    void StepDone(BuildStep step, string? imageId);
    void StageDone(int stageOrdinal);
    /// <summary>A line to show as it is (warnings).</summary>
    void Message(string line);
}

/// <summary>Reports nothing.</summary>
public sealed class NullBuildProgress : IBuildProgress
{
    public static NullBuildProgress Instance { get; } = new();
    public void Started(IReadOnlyList<string> stages) { }
    public void StepStarted(BuildStep step) { }
    public void CacheHit(BuildStep step) { }
    public void Running(BuildStep step, string containerId) { }
    public void Output(BuildStep step, ReadOnlySpan<byte> data) { }
    public void Removed(BuildStep step, string containerId) { }
    public void StepDone(BuildStep step, string? imageId) { }
    public void StageDone(int stageOrdinal) { }
    public void Message(string line) { }
}
