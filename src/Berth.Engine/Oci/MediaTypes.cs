namespace Berth.Engine.Oci;

/// <summary>Media types of the OCI image spec and of Docker's schema2.</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string OciLayerNonDistributable = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public const string OciLayerNonDistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerLayerForeignGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public const string DockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar";
    public const string DockerSchema1Manifest = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerSchema1SignedManifest = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    public static bool IsManifest(string? mt) => mt is OciManifest or DockerManifest;
    public static bool IsIndex(string? mt) => mt is OciIndex or DockerManifestList;

    public static bool IsLayer(string? mt) => mt is not null && LayerCompressionOf(mt) is not null;

    /// <summary>The compression a layer media type implies, or null when it is not a layer type.</summary>
    public static Compression? LayerCompressionOf(string mediaType) => mediaType switch
    {
        OciLayer or DockerLayerTar or OciLayerNonDistributable => Compression.None,
        OciLayerGzip or DockerLayerGzip or DockerLayerForeignGzip or OciLayerNonDistributableGzip => Compression.Gzip,
        OciLayerZstd => Compression.Zstd,
        _ => null,
    };

    /// <summary>The layer media type for a compression, in the OCI or the Docker family.</summary>
    public static string LayerMediaType(Compression compression, bool docker) => (compression, docker) switch
    {
        (Compression.None, false) => OciLayer,
        (Compression.Gzip, false) => OciLayerGzip,
        (Compression.Zstd, _) => OciLayerZstd,
        (Compression.None, true) => DockerLayerTar,
        (Compression.Gzip, true) => DockerLayerGzip,
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };
}

public enum Compression { None, Gzip, Zstd }
