using Berth.Engine.Images;
using Berth.Engine.Layers;
using Berth.Engine.Oci;

namespace Berth.Engine.Containers;

/// <summary>What <c>commit</c> was asked for.</summary>
public sealed record CommitOptions
{
    public string? Author { get; init; }
    public string? Message { get; init; }
    public IReadOnlyList<ImageReference> Tags { get; init; } = [];
    /// <summary>Applies <c>-c</c> instructions to the new image's config.</summary>
    public Func<ContainerConfig, ContainerConfig>? Changes { get; init; }
}

/// <summary>
/// <c>commit</c>: a container's changes (its overlay upper directory, whiteouts and opaque directories
/// included) become one new layer on top of its image's, and its configuration (env, command, user,
/// workdir, labels) the new image's config, as docker does. The changes are copied once, into a new
/// snapshot over the image's top layer, which is the layer (<see cref="LocalLayers"/>).
/// </summary>
public sealed class ContainerCommitter(ContainerService service)
{
    public ImageRecord Commit(Container c, CommitOptions options)
    {
        var root = service.Root;
        using var _ = root.SharedLock();
        var baseImage = root.Images.Get(Digest.Parse(c.Spec.ImageId))
            ?? throw new NotFoundException($"the image of container {c.Name} ({c.Spec.ImageId}) is no longer in the store");
        var baseConfig = root.Images.ReadConfig(baseImage);

        var parent = baseImage.TopChainId;
        var key = $"commit-{Guid.NewGuid():N}";
        var snapshots = service.Snapshots;
        snapshots.Prepare(key, parent?.ToString());
        LocalLayer layer;
        try
        {
            var upper = snapshots.ChangesDir(c.SnapshotKey);
            var target = snapshots.ChangesDir(key);
            var lowers = snapshots.LowerDirs(key);
            ContainerFilesystem.Pipe(w => LayerDiff.WriteOverlayUpper(upper, w),
                r => LayerApplier.Apply(r, target, new ApplyOptions { Whiteouts = WhiteoutMode.Overlay, LowerDirs = lowers }));
            layer = root.LocalLayers.Commit(key, parent);
        }
        catch
        {
            if (snapshots.Stat(key) is not null) snapshots.Remove(key);
            throw;
        }

        var s = c.Spec;
        var runConfig = (baseConfig.Config ?? new ContainerConfig()) with
        {
            User = s.User.Length > 0 ? s.User : null,
            Env = s.Env,
            Entrypoint = s.Entrypoint,
            Cmd = s.Cmd,
            WorkingDir = s.WorkingDir.Length > 0 ? s.WorkingDir : null,
            Labels = s.Labels.Count > 0 ? s.Labels : null,
            StopSignal = s.StopSignal == "SIGTERM" ? baseConfig.Config?.StopSignal : s.StopSignal,
        };
        if (options.Changes is not null) runConfig = options.Changes(runConfig);
        var now = DateTimeOffset.UtcNow;
        var config = baseConfig with
        {
            Created = now,
            Author = options.Author ?? baseConfig.Author,
            Config = runConfig,
            RootFs = new RootFs { DiffIds = [.. baseConfig.RootFs.DiffIds, layer.DiffId] },
            History = [.. baseConfig.History ?? [], new HistoryEntry
            {
                Created = now,
                CreatedBy = string.Join(' ', s.Command),
                Author = options.Author,
                Comment = options.Message,
            }],
        };
        var configDescriptor = root.Content.WriteBytes(OciJson.Bytes(config, OciJson.Default.ImageConfig), MediaTypes.OciConfig);
        var layers = baseImage.Layers.Select(l => l.Blob).Append(layer.Blob).ToList();
        return root.ImageWriter.Commit(ImageWriter.NewManifest(configDescriptor, layers), MediaTypes.OciManifest, options.Tags);
    }
}
