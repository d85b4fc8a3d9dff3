using Berth.Engine.Build.Execution.Run;
using Berth.Engine.Layers;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution.Steps;

/// <summary>
/// WORKDIR: sets the working directory and, as docker does, creates it when the image lacks it
/// (then the step has a layer holding the new directories, owned by the USER in effect as BuildKit
/// makes them; otherwise it is an empty-layer entry).
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
        var layers = Layers(s, c.State);
        if (rel.Length > 0 && !MountStubs.Exists(layers, rel))
        {
            var owner = Containers.UserResolver.Resolve(config.Config.User ?? "", p => Containers.LayeredFiles.ReadText(layers, p));
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
                        var parts = rel.Split('/');
                        for (int i = 1; i <= parts.Length; i++)
                        {
                            var dir = string.Join('/', parts[..i]);
                            if (MountStubs.Exists(layers, dir)) continue;
                            var e = new TarEntry { Type = TarEntryType.Directory, Mode = 0x1ED, Uid = owner.Uid, Gid = owner.Gid, MtimeSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds() };
                            e.SetName(dir + "/");
                            writer.WriteHeader(e);
                        }
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

    /// <summary>The layer directories of a state, top first (none for an empty state).</summary>
    private static IReadOnlyList<string> Layers(BuildSession s, BuildState state)
    {
        if (state.ChainId is not { } chain) return [];
        lock (s.StoreLock) return [s.Snapshots.ChangesDir(chain), .. s.Snapshots.LowerDirs(chain)];
    }
}
