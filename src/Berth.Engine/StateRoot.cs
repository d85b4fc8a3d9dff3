using Berth.Engine.Content;
using Berth.Engine.Images;
using Berth.Engine.Metadata;
using Berth.Engine.Snapshots;

namespace Berth.Engine;

/// <summary>
/// The composition root of one state directory (<c>/var/lib/berth</c> or <c>--root</c>): it knows where
/// each part lives on disk and opens each part the first time something asks for it, so a command
/// pays only for what it uses. The on-disk layout is described here and nowhere else.
/// </summary>
public sealed class StateRoot : IDisposable
{
    public const string DefaultPath = "/var/lib/berth";

    private FileContentStore? _content;
    private MetadataDb? _db;
    private OverlaySnapshotter? _snapshots;
    private ImageStore? _images;
    private LocalLayers? _localLayers;
    private Build.Cache.BuildCache? _buildCache;

    public StateRoot(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Blobs by digest: <c>blobs/sha256/&lt;hex&gt;</c>, temp files in <c>ingest/</c>.</summary>
    public FileContentStore Content => _content ??= new FileContentStore(Path);

    /// <summary>The metadata database, <c>berth.db</c>.</summary>
    public MetadataDb Db => _db ??= new MetadataDb(System.IO.Path.Combine(Path, "berth.db"), Schemas.All);

    /// <summary>Unpacked layers and container upper directories: <c>snapshots/&lt;n&gt;/fs</c>.</summary>
    public string SnapshotsDir => Sub("snapshots");

    public OverlaySnapshotter Snapshots => _snapshots ??= new OverlaySnapshotter(Db, SnapshotsDir);

    /// <summary>Image records and tags (metadata) over the content store.</summary>
    public ImageStore Images => _images ??= new ImageStore(Db, Content);

    /// <summary>Answers which containers use an image.</summary>
    public IImageUsers ImageUsers => new Containers.ContainerImageUsers(new Containers.ContainerService(this, new Containers.StoreImages(this)));

    public ImageGarbageCollector ImageGarbage => new(Images, Content, Snapshots, LocalLayers, LockPath, [BuildCache]);

    /// <summary>Layers made here, kept as snapshots; their tars are written on demand.</summary>
    public LocalLayers LocalLayers => _localLayers ??= new LocalLayers(Db, Snapshots);

    /// <summary>What images name, readable by digest: stored blobs and layers made here.</summary>
    public ImageContent ImageContent => new(Content, LocalLayers);
    /// <summary>Build step results by cache key (a garbage-collection root).</summary>
    public Build.Cache.BuildCache BuildCache => _buildCache ??= new Build.Cache.BuildCache(Db);

    /// <summary>The one way images enter the store (import, load, pull, build, commit).</summary>
    public ImageWriter ImageWriter => new(Images, Content, ImageContent, new LayerUnpacker(Snapshots, Content));

    /// <summary>Held by every command that adds content, so garbage collection never takes it mid-flight.</summary>
    public Util.FileLock SharedLock() => Util.FileLock.Shared(LockPath);

    /// <summary>Container bundles, logs and state: <c>containers/&lt;id&gt;/</c>.</summary>
    public string ContainersDir => Sub("containers");

    /// <summary>Named volumes: <c>volumes/&lt;name&gt;/_data</c>.</summary>
    public string VolumesDir => Sub("volumes");

    /// <summary>Scratch space for work in progress (temp extractions, build contexts).</summary>
    public string TmpDir => Sub("tmp");

    /// <summary>The lock file: shared by commands that add, exclusive for commands that remove.</summary>
    public string LockPath => System.IO.Path.Combine(Path, "lock");

    private string Sub(string name)
    {
        var p = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(p);
        return p;
    }

    public void Dispose() => _db?.Dispose();
}
