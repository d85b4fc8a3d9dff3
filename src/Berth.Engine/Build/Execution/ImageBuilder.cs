using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Build.Execution.Copy;
using Berth.Engine.Build.Execution.Steps;
using Berth.Engine.Build.Planning;
using Berth.Engine.Images;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution;

/// <summary>
/// <c>berth build</c>, BuildKit's three stages end to end: parse the Dockerfile, plan the stages
/// the target needs, check what can be checked before anything runs (COPY sources, images named
/// by <c>--from</c>), then execute the plan wave by wave (the stages of a wave concurrently) and
/// record the target's image with its tags. Bad input fails before the store or the cache change.
/// </summary>
public sealed class ImageBuilder(StateRoot root)
{
    public async Task<BuildResult> BuildAsync(BuildRequest request, IBuildProgress progress, CancellationToken ct = default)
    {
        var ast = DockerfileParser.Parse(request.DockerfileText, request.DockerfileName);
        var storeLock = new object();
        var baseImages = new StoreBaseImages(root.Images, storeLock);
        var plan = await BuildPlanner.PlanAsync(ast, request.Args, request.Target,
            new BuildPlanOptions { TargetPlatform = request.Platform, BaseImages = baseImages }, ct).ConfigureAwait(false);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var session = new BuildSession
        {
            Root = root, Request = request, Ast = ast, Plan = plan, Progress = progress,
            BaseImages = baseImages, StoreLock = storeLock, Cancellation = cancel.Token,
        };
        var steps = plan.Stages.ToDictionary(st => st.Index, st => st == plan.Target && request.Labels.Count > 0
            ? (IReadOnlyList<PlannedStep>)[.. st.Steps, LabelStep(request.Labels, st)] : st.Steps);
        Preflight(session, steps);

        progress.Started([.. plan.Stages.Select(st => st.DisplayName)]);
        var first = new Dictionary<int, int>();
        int number = 1;
        foreach (var st in plan.Stages)
        {
            first[st.Index] = number;
            number += steps[st.Index].Count + 1;
        }
        var ordinal = plan.Stages.Select((st, i) => (st.Index, i)).ToDictionary(x => x.Index, x => x.i);
        foreach (var wave in plan.Waves)
        {
            BuildState Run(PlannedStage st) =>
                session.StageResults[st.Index] = new StageExecutor(session, st, ordinal[st.Index], first[st.Index], steps[st.Index]).Run();
            if (wave.Count == 1) { Run(wave[0]); continue; }
            var tasks = wave.Select(st => Task.Run(() =>
            {
                try { return Run(st); }
                catch { cancel.Cancel(); throw; }
            })).ToList();
            try { await Task.WhenAll(tasks).ConfigureAwait(false); }
            catch
            {
                // The first real failure, not the cancellations it caused in the other stages.
                var failure = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
                    .OrderBy(e => e is OperationCanceledException).First();
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }
        }

        var final = session.StageResults[plan.Target.Index];
        ImageRecord image;
        lock (storeLock)
        {
            image = Record(final, request.Tags, ct);
            root.BuildCache.Touch([.. session.UsedKeys.Distinct()]);
        }
        session.FileSums.Flush();
        if (plan.UnusedBuildArgsWarning is { } warning) progress.Message(warning);
        return new BuildResult(image, session.CachedSteps + session.ExecutedSteps, session.CachedSteps);
    }

    /// <summary>The target's image in the store with its tags: recorded once; a rebuild that made the same config only tags.</summary>
    private ImageRecord Record(BuildState final, IReadOnlyList<ImageReference> tags, CancellationToken ct)
    {
        if (root.Images.Get(final.Id) is { Intermediate: false } existing)
        {
            if (tags.Count > 0) root.Images.Add(existing, tags);
            return tags.Count > 0 ? root.Images.Get(final.Id)! : existing;
        }
        var config = root.Content.WriteBytes(final.ConfigBytes, MediaTypes.OciConfig);
        return root.ImageWriter.Commit(ImageWriter.NewManifest(config, final.Layers), MediaTypes.OciManifest, tags, ct: ct);
    }

    /// <summary>Everything that can fail on bad input before a step runs: COPY sources in the context, images named by --from, --chmod.</summary>
    private static void Preflight(BuildSession s, IReadOnlyDictionary<int, IReadOnlyList<PlannedStep>> steps)
    {
        foreach (var stage in s.Plan.Stages)
            foreach (var step in steps[stage.Index])
            {
                if (step.Expanded is not FileInstruction f) continue;
                if (f.Chmod is { Length: > 0 } chmod)
                {
                    try { Chown.ParseMode(chmod); }
                    catch (BerthException e) { throw s.Error(step, e.Message); }
                }
                switch (step.CopySource)
                {
                    case ContextSource:
                        s.ContextMatches[step] = CopyStep.MatchContext(s, step);
                        break;
                    case ImageSource image:
                        try { s.BaseImages.Get(image.Reference); }
                        catch (NotFoundException)
                        {
                            throw s.Error(step, $"{f.Keyword} --from={((CopyInstruction)f).From}: no stage of that name, and no image {image.Reference.Familiar} in the store");
                        }
                        break;
                }
            }
    }

    /// <summary><c>--label</c>s as the classic builder applies them: one LABEL step at the end of the target stage.</summary>
    private static PlannedStep LabelStep(IReadOnlyList<KeyValuePair<string, string>> labels, PlannedStage target)
    {
        var text = "LABEL " + string.Join(' ', labels.Select(l => Quote(l.Key) + "=" + Quote(l.Value)));
        var instruction = new LabelInstruction
        {
            Keyword = "LABEL",
            Location = target.From.Location,
            Original = text,
            Labels = [.. labels.Select(l => new KeyValue(l.Key, l.Value))],
        };
        return new PlannedStep
        {
            Instruction = instruction,
            Expanded = instruction,
            BuildArgs = [],
            CacheKey = StepKey.For(instruction, [], null, [], []),
        };
    }

    private static string Quote(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/' or ':')
        ? s : "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
