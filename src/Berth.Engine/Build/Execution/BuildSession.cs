using System.Collections.Concurrent;
using Berth.Engine.Build.Cache;
using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Build.Execution.Copy;
using Berth.Engine.Build.Execution.Run;
using Berth.Engine.Build.Planning;
using Berth.Engine.Snapshots;
using Berth.Engine.Volumes;

namespace Berth.Engine.Build.Execution;

/// <summary>
/// What every stage of one build shares: the request and its plan, the store (behind one lock:
/// the metadata connection is not thread-safe and stages run concurrently), the results of
/// finished stages, and the cache keys this build used.
/// </summary>
internal sealed class BuildSession
{
    private int _cleaned;

    public required StateRoot Root { get; init; }
    public required BuildRequest Request { get; init; }
    public required DockerfileAst Ast { get; init; }
    public required BuildPlan Plan { get; init; }
    public required IBuildProgress Progress { get; init; }
    public required StoreBaseImages BaseImages { get; init; }
    public required object StoreLock { get; init; }
    public required CancellationToken Cancellation { get; init; }

    public BuildCache Cache => Root.BuildCache;
    public ISnapshotter Snapshots => Root.Snapshots;
    public string TmpDir => Root.TmpDir;

    /// <summary>Each finished stage's final state, by stage index.</summary>
    public ConcurrentDictionary<int, BuildState> StageResults { get; } = new();
    /// <summary>Context sources of each COPY/ADD, matched once before anything runs.</summary>
    public ConcurrentDictionary<PlannedStep, List<CopyMatch>[]> ContextMatches { get; } = new(ReferenceEqualityComparer.Instance);
    public ConcurrentBag<string> UsedKeys { get; } = [];
    public int CachedSteps;
    public int ExecutedSteps;

    public LayerCommitter Layers => field ??= new LayerCommitter(Snapshots, Root.LocalLayers, StoreLock);
    /// <summary>Digests of large context files remembered from earlier builds.</summary>
    public FileSums FileSums => field ??= new FileSums(Root.Db, StoreLock);
    public RunContainer Containers => field ??= new RunContainer(Root, new VolumeStore(Root.Db, Root.VolumesDir));

    /// <summary>A key for a step's active snapshot that names this process (so a stale one can be told apart).</summary>
    public static string NewSnapshotKey() => $"build-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>Before the first step that executes: removes what killed builds left (mounts, active snapshots).</summary>
    public void CleanStaleOnce()
    {
        if (Interlocked.Exchange(ref _cleaned, 1) != 0) return;
        HostMount.CleanStale(TmpDir);
        foreach (var dir in Directory.EnumerateDirectories(TmpDir, "build-run-*"))
            if (int.TryParse(Path.GetFileName(dir)["build-run-".Length..], out var owner) && !Directory.Exists($"/proc/{owner}"))
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        lock (StoreLock)
        {
            foreach (var s in Snapshots.Walk())
            {
                if (s.Kind != SnapshotKind.Active || !s.Key.StartsWith("build-", StringComparison.Ordinal)) continue;
                var pid = s.Key.Split('-')[1];
                if (int.TryParse(pid, out var p) && (p == Environment.ProcessId || Directory.Exists($"/proc/{p}"))) continue;
                try { Snapshots.Remove(s.Key); } catch (BerthException) { }
            }
        }
    }

    /// <summary>An error at a step's Dockerfile line, quoting it.</summary>
    public BuildStepException Error(PlannedStep step, string reason, int exitCode = BerthException.UserError) =>
        new(step.Instruction.Location, reason, Ast.LineText(step.Instruction.Location.Line), exitCode);
}

/// <summary>One step being run: the session, the step, where it shows, and the state it starts from.</summary>
internal sealed class StepContext
{
    public required BuildSession Session { get; init; }
    public required PlannedStage Stage { get; init; }
    public required PlannedStep Step { get; init; }
    public required BuildStep Display { get; init; }
    public required BuildState State { get; init; }
    /// <summary>CMD was set earlier in this stage.</summary>
    public bool CmdSet { get; init; }
    /// <summary>What <see cref="IStepRunner.Inputs"/> found, for <see cref="IStepRunner.Execute"/> to reuse.</summary>
    public object? Prepared { get; set; }
}

/// <summary>How one kind of instruction runs: what it reads besides its definition, and the run itself.</summary>
internal interface IStepRunner
{
    /// <summary>The checksum of what the step reads (copied files, another stage's result), or null.</summary>
    string? Inputs(StepContext c);
    /// <summary>Runs the step; returns the state after it.</summary>
    BuildState Execute(StepContext c);
}
