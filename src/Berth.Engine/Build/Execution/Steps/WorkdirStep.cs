using Berth.Engine.Build.Execution.Run;
using Berth.Engine.Layers;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution.Steps;

/// <summary>
/// WORKDIR: sets the working directory and, as docker does, creates it when the image lacks it
/// (then the step has a layer holding the new directory; otherwise it is an empty-layer entry).
/// </summary>
internal sealed class WorkdirStep : IStepRunner
{
    public static WorkdirStep Instance { get; } = new();

    public string? Inputs(StepContext c) => null;

    public BuildState Execute(StepContext c)
    {
        var s = c.Session;
        var config = ConfigInstructions.Apply(c.State.Config, c.Step.Expanded);
        var path = config.Config!.WorkingDir!;
        var rel = path.Trim('/');
        Descriptor? layer = null;
        string? chain = c.State.ChainId;
        if (rel.Length > 0 && !ExistsIn(s, c.State, rel))
        {
            var key = BuildSession.NewSnapshotKey();
            Snapshots.Mount target;
            lock (s.StoreLock) target = s.Snapshots.Prepare(key, c.State.ChainId)[0];
            try
            {
                using (var rootfs = HostMount.Of(target, s.TmpDir))
                using (var tar = new MemoryStream())
                {
                    using (var writer = new LayerTarWriter(tar))
                    {
                        var e = new TarEntry { Type = TarEntryType.Directory, Mode = 0x1ED, MtimeSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds() };
                        e.SetName(rel + "/");
                        writer.WriteHeader(e);
                        writer.Finish();
                    }
                    tar.Position = 0;
                    LayerApplier.Apply(tar, rootfs.Path, new ApplyOptions { Whiteouts = WhiteoutMode.Delete });
                }
                (layer, chain) = s.Layers.Commit(key, c.State.ChainId);
            }
            catch
            {
                lock (s.StoreLock)
                    if (s.Snapshots.Stat(key) is not null) s.Snapshots.Remove(key);
                throw;
            }
        }
        return c.State.Next(StepHistory.After(config, layer, HistoryText.Workdir(path)), layer, chain);
    }

    private static bool ExistsIn(BuildSession s, BuildState state, string rel)
    {
        if (state.ChainId is not { } chain) return false;
        IReadOnlyList<string> layers;
        lock (s.StoreLock) layers = [s.Snapshots.ChangesDir(chain), .. s.Snapshots.LowerDirs(chain)];
        return MountStubs.Exists(layers, rel);
    }
}
