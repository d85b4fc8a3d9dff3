using Berth.Engine.Images;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution;

/// <summary>
/// The image a stage has built so far: its config (byte-exact; its digest <see cref="Id"/> is the
/// parent state of the next cache key), the blobs of its layers and the committed snapshot of its
/// top layer. Cache hits carry the config bytes unparsed: a rebuild that hits every step never
/// deserialises a config.
/// </summary>
public sealed class BuildState
{
    private ImageConfig? _config;

    public BuildState(byte[] configBytes, Digest id, IReadOnlyList<Descriptor> layers, string? chainId, ImageConfig? parsed = null)
    {
        ConfigBytes = configBytes;
        Id = id;
        Layers = layers;
        ChainId = chainId;
        _config = parsed;
    }

    public byte[] ConfigBytes { get; }
    public Digest Id { get; }
    /// <summary>Layer blobs, one per entry of the config's <c>rootfs.diff_ids</c>.</summary>
    public IReadOnlyList<Descriptor> Layers { get; }
    /// <summary>The committed snapshot holding the whole filesystem (null while there are no layers).</summary>
    public string? ChainId { get; }
    public ImageConfig Config => _config ??= OciJson.Parse(ConfigBytes, OciJson.Default.ImageConfig, $"image config {Id.Short}");

    /// <summary>A state for <paramref name="config"/> (serialised once, here).</summary>
    public static BuildState Of(ImageConfig config, IReadOnlyList<Descriptor> layers, string? chainId)
    {
        var bytes = OciJson.Bytes(config, OciJson.Default.ImageConfig);
        return new BuildState(bytes, Digest.Compute(bytes), layers, chainId, config);
    }

    /// <summary>The state after a step that changed the config and maybe added a layer.</summary>
    public BuildState Next(ImageConfig config, Descriptor? layer, string? chainId)
    {
        var bytes = OciJson.Bytes(config, OciJson.Default.ImageConfig);
        return new BuildState(bytes, Digest.Compute(bytes), layer is null ? Layers : [.. Layers, layer], layer is null ? ChainId : chainId, config);
    }

    /// <summary>The state a stored image starts a stage from.</summary>
    public static BuildState FromImage(ImageRecord image, byte[] configBytes) =>
        new(configBytes, image.Id, image.Layers.Select(l => l.Blob).ToList(), image.TopChainId?.ToString());

    /// <summary>The empty state of <c>FROM scratch</c>: no layers, the default PATH, the target platform.</summary>
    public static BuildState Scratch(Platform platform) => Of(new ImageConfig
    {
        Architecture = platform.Architecture,
        Os = platform.Os,
        Variant = platform.Variant,
        Config = new ContainerConfig { Env = [Runtime.Spec.SpecDefaults.DefaultPath] },
        RootFs = new RootFs(),
    }, [], null);
}
