using Berth.Engine.Build.Planning;
using Berth.Engine.Images;
using Berth.Engine.Oci;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Build.Execution;

/// <summary>Where stages start (scratch, an image, an earlier stage) and how other stages' results are read.</summary>
internal static class StageStarts
{
    /// <summary>
    /// The state <paramref name="stage"/> starts from. A base with ONBUILD triggers passes them on
    /// to this stage only: they are cleared from the config, as docker does once they ran.
    /// </summary>
    public static BuildState For(BuildSession s, PlannedStage stage)
    {
        var state = stage.Base switch
        {
            ImageSource image => FromImage(s, image.Reference),
            StageSource parent => s.StageResults[parent.StageIndex],
            _ => BuildState.Scratch(stage.Platform ?? s.Plan.TargetPlatform),
        };
        if (state.ConfigBytes.AsSpan().IndexOf("\"OnBuild\":[\""u8) < 0) return state;
        var config = state.Config;
        if (config.Config?.OnBuild is not { Count: > 0 }) return state;
        return state.Next(config with { Config = config.Config with { OnBuild = null } }, null, null);
    }

    /// <summary>An image from the store, its layers unpacked into snapshots if they are not yet.</summary>
    public static BuildState FromImage(BuildSession s, ImageReference reference)
    {
        var (image, configBytes) = s.BaseImages.Get(reference);
        if (image.TopChainId is { } top)
            lock (s.StoreLock)
                if (s.Snapshots.Stat(top.ToString()) is not { Kind: SnapshotKind.Committed })
                    new LayerUnpacker(s.Snapshots, s.Root.Content).Unpack(image.Layers.Select(l => (l.Blob, l.DiffId)).ToList(), s.Cancellation);
        return BuildState.FromImage(image, configBytes);
    }

    /// <summary>A read-only view of a state's filesystem on the host (an empty directory for one without layers).</summary>
    public static HostMount MountReadOnly(BuildSession s, BuildState? state)
    {
        if (state?.ChainId is not { } chain) return HostMount.Empty(s.TmpDir);
        Mount m;
        lock (s.StoreLock) m = s.Snapshots.Mounts(chain)[0];
        return HostMount.Of(m, s.TmpDir);
    }
}
