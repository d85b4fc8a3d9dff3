using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Build.Execution.Run;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution.Steps;

/// <summary>
/// RUN: the command runs in a container on the step's snapshot (the previous step's result), with
/// the image's environment plus the build args in scope; its changes become the step's layer.
/// A non-zero exit fails the build with docker's message, and nothing of the step is kept.
/// </summary>
internal sealed class RunStep : IStepRunner
{
    public static RunStep Instance { get; } = new();

    public string? Inputs(StepContext c) => RunMounts.Inputs(c);

    public BuildState Execute(StepContext c)
    {
        var s = c.Session;
        var step = c.Step;
        var run = (RunInstruction)step.Expanded;
        var config = c.State.Config;
        var cc = config.Config ?? new ContainerConfig();
        var command = run.Resolve();
        List<string> argv = command.PrependShell ? [.. cc.Shell ?? ConfigInstructions.DefaultShell, .. command.Args] : [.. command.Args];
        if (argv.Count == 0 || argv[0].Length == 0) throw s.Error(step, "RUN needs a command");

        var network = run.Network == "default" ? s.Request.Network : run.Network;
        if (network is not ("default" or "host" or "none"))
            throw s.Error(step, $"network mode \"{network}\" is not supported for RUN: use default, none or host");
        var spec = new RunSpec
        {
            Args = argv,
            Env = Environment(cc, step.BuildArgs, s.Plan.PredefinedArgs),
            User = cc.User ?? "",
            WorkingDir = cc.WorkingDir ?? "",
            Network = network is "none" or "host" ? network : "bridge",
            Script = command.ScriptFile is { } f ? (f.Name, f.Content) : null,
        };

        var key = BuildSession.NewSnapshotKey();
        lock (s.StoreLock) s.Snapshots.Prepare(key, c.State.ChainId);
        Descriptor? layer;
        string? chain;
        try
        {
            using var mounts = RunMounts.Prepare(c);
            spec = spec with { Mounts = mounts.Specs };
            string? containerId = null;
            int code;
            try
            {
                code = s.Containers.Run(spec, key, s.Snapshots, s.StoreLock,
                    id => { containerId = id; s.Progress.Running(c.Display, id[..12]); },
                    data => s.Progress.Output(c.Display, data), s.Cancellation);
            }
            catch (BerthException e) when (e is not RunFailedException && e.ExitCode is 126 or 127)
            {
                throw s.Error(step, e.Message);
            }
            s.Cancellation.ThrowIfCancellationRequested();
            if (containerId is not null) s.Progress.Removed(c.Display, containerId[..12]);
            if (code != 0) throw new RunFailedException(string.Join(' ', argv), code);
            (layer, chain) = s.Layers.Commit(key, c.State.ChainId);
        }
        catch
        {
            lock (s.StoreLock)
                if (s.Snapshots.Stat(key) is not null) s.Snapshots.Remove(key);
            throw;
        }
        return c.State.Next(StepHistory.After(config, layer, HistoryText.Run(argv, step.BuildArgs)), layer, chain);
    }

    /// <summary>The image's environment, then the build args in scope that ENV does not set, then the proxy args.</summary>
    private static List<string> Environment(ContainerConfig cc, IReadOnlyList<KeyValuePair<string, string>> buildArgs, IReadOnlyDictionary<string, string> predefined)
    {
        var env = new List<string>(cc.Env ?? [Runtime.Spec.SpecDefaults.DefaultPath]);
        var names = env.Select(e => e.Split('=', 2)[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var (k, v) in buildArgs.Concat(predefined))
            if (names.Add(k)) env.Add(k + "=" + v);
        return env;
    }
}
