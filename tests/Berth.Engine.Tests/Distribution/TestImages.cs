using Berth.Engine.Images;
using Berth.Engine.Oci;
using Berth.Engine.Tests.Layers;

namespace Berth.Engine.Tests.Distribution;

/// <summary>A state root in a temp directory, with a way to make small multi-layer images in it.</summary>
public sealed class TestRoot : IDisposable
{
    private readonly TempDir _dir = new();

    public TestRoot() => Root = new StateRoot(_dir.Sub("root"));

    public StateRoot Root { get; }

    /// <summary>
    /// An image whose layers each hold the given files (name → content), stored uncompressed as
    /// import and build store them, tagged <paramref name="tag"/>.
    /// </summary>
    public ImageRecord MakeImage(string tag, Platform? platform = null, params Dictionary<string, string>[] layers)
    {
        var descriptors = new List<Descriptor>();
        var diffIds = new List<Digest>();
        foreach (var files in layers)
        {
            var dir = _dir.Sub("layer-" + Guid.NewGuid().ToString("N"));
            foreach (var (name, text) in files)
            {
                var p = Path.Combine(dir, name);
                Directory.CreateDirectory(Path.GetDirectoryName(p)!);
                File.WriteAllText(p, text);
                File.SetLastWriteTimeUtc(p, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            }
            var tar = Kit.Tar(dir);
            descriptors.Add(Root.Content.WriteBytes(tar, MediaTypes.OciLayer));
            diffIds.Add(Digest.Compute(tar));
        }
        platform ??= Platform.Default;
        var config = new ImageConfig
        {
            Created = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Architecture = platform.Architecture,
            Os = platform.Os,
            Config = new ContainerConfig { Cmd = ["/bin/sh"], Labels = new() { ["tag"] = tag } },
            RootFs = new RootFs { DiffIds = diffIds },
        };
        var configDescriptor = Root.Content.WriteBytes(OciJson.Bytes(config, OciJson.Default.ImageConfig), MediaTypes.OciConfig);
        return Root.ImageWriter.Commit(ImageWriter.NewManifest(configDescriptor, descriptors), MediaTypes.OciManifest, [ImageReference.Parse(tag)]);
    }

    public void Dispose()
    {
        Root.Dispose();
        _dir.Dispose();
    }
}
