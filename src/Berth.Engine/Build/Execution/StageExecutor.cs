using Berth.Engine.Build.Cache;
using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Build.Execution.Steps;
using Berth.Engine.Build.Planning;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Build.Execution;

/// <summary>
/// Runs one stage's steps in order. For each step the cache key is computed first (parent state,
/// the step's definition, the checksum of what it reads); a hit takes the stored result without
/// touching the filesystem, a miss runs the step and stores its result.
/// </summary>
internal sealed class StageExecutor(BuildSession s, PlannedStage stage, int ordinal, int firstNumber, IReadOnlyList<PlannedStep> steps)
{
    public BuildState Run()
    {
        int total = s.Plan.StepCount + (s.Request.Labels.Count > 0 ? 1 : 0);
        var from = new BuildStep(firstNumber, total, ordinal, stage.DisplayName, stage.From.Original);
        s.Progress.StepStarted(from);
        BuildState state;
        try { state = StageStarts.For(s, stage); }
        catch (BerthException e) when (e is not BuildStepException)
        {
            throw new BuildStepException(stage.From.Location, e.Message, s.Ast.LineText(stage.From.Location.Line), e.ExitCode);
        }
        s.Progress.StepDone(from, stage.Base is ScratchSource ? null : state.Id.Short);
        bool cmdSet = false;
        int number = firstNumber;
        foreach (var step in steps)
        {
            s.Cancellation.ThrowIfCancellationRequested();
            var display = new BuildStep(++number, total, ordinal, stage.DisplayName, step.Instruction.Original);
            s.Progress.StepStarted(display);
            state = Execute(step, display, state, cmdSet);
            cmdSet |= step.Expanded is CmdInstruction;
            s.Progress.StepDone(display, state.Id.Short);
        }
        s.Progress.StageDone(ordinal);
        return state;
    }

    private BuildState Execute(PlannedStep step, BuildStep display, BuildState state, bool cmdSet)
    {
        if (step.Expanded is ArgInstruction) return state;
        IStepRunner runner = step.Expanded switch
        {
            RunInstruction => Steps.RunStep.Instance,
            FileInstruction => CopyStep.Instance,
            WorkdirInstruction => WorkdirStep.Instance,
            _ when ConfigInstructions.Handles(step.Expanded) => ConfigStep.Instance,
            _ => throw s.Error(step, $"{step.Expanded.Keyword} cannot be run as a build step"),
        };
        var context = new StepContext { Session = s, Stage = stage, Step = step, Display = display, State = state, CmdSet = cmdSet };
        var key = CacheKeys.Step(state.Id, step.CacheKey, runner.Inputs(context));
        if (!s.Request.NoCache && Lookup(key, state) is { } hit)
        {
            s.UsedKeys.Add(key);
            Interlocked.Increment(ref s.CachedSteps);
            s.Progress.CacheHit(display);
            (context.Prepared as IDisposable)?.Dispose();
            return hit;
        }
        s.CleanStaleOnce();
        BuildState next;
        try { next = runner.Execute(context); }
        catch (BerthException e) when (e is not (BuildStepException or RunFailedException))
        {
            throw s.Error(step, e.Message, e.ExitCode);
        }
        Interlocked.Increment(ref s.ExecutedSteps);
        var added = next.Layers.Count > state.Layers.Count ? next.Layers[^1] : null;
        lock (s.StoreLock)
            s.Cache.Put(new CacheEntry(key, next.ConfigBytes, next.Id, added, next.ChainId, DateTimeOffset.UtcNow));
        return next;
    }

    /// <summary>The cached state for <paramref name="key"/>, if the layer and snapshot it names are still there.</summary>
    private BuildState? Lookup(string key, BuildState parent)
    {
        lock (s.StoreLock)
        {
            if (s.Cache.Find(key) is not { } e) return null;
            if (e.Layer is { } layer && (!s.Root.ImageContent.Exists(layer.Digest) || e.ChainId is null
                || s.Snapshots.Stat(e.ChainId) is not { Kind: SnapshotKind.Committed }))
            {
                s.Cache.Remove(key);
                return null;
            }
            return new BuildState(e.Config, e.ConfigDigest, e.Layer is { } l ? [.. parent.Layers, l] : parent.Layers, e.ChainId);
        }
    }
}
