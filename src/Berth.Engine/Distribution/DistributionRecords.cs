using Berth.Engine.Metadata;
using Berth.Engine.Oci;

namespace Berth.Engine.Distribution;

/// <summary>
/// What push and pull remember between runs, in the metadata database:
/// <list type="bullet">
/// <item>which compressed blob a layer (diff ID) becomes under each compression, so a layer stored
/// uncompressed always pushes as the same blob and a registry that has it says "already exists";</item>
/// <item>which repositories of which registry a blob was pulled from or pushed to, so push can
/// ask for a cross-repository mount instead of uploading;</item>
/// <item>the digest of each manifest push rewrote (naming compressed blobs), so a push that finds
/// nothing new learns it without rewriting and hashing the manifest again.</item>
/// </list>
/// </summary>
public sealed class DistributionRecords(MetadataDb db)
{
    /// <summary>The blob a diff ID was compressed to with <paramref name="compression"/>, if known.</summary>
    public Descriptor? CompressedBlob(Digest diffId, Compression compression) =>
        db.Query("SELECT blob_digest, media_type, size FROM layer_blobs WHERE diff_id=$d AND compression=$c",
            r => new Descriptor { Digest = Digest.Parse(r.GetString(0)), MediaType = r.GetString(1), Size = r.GetInt64(2) },
            ("$d", diffId.ToString()), ("$c", Name(compression))).FirstOrDefault();

    public void RecordCompressedBlob(Digest diffId, Compression compression, Descriptor blob) =>
        db.Execute("""
            INSERT INTO layer_blobs(diff_id, compression, blob_digest, media_type, size) VALUES($d, $c, $b, $m, $s)
            ON CONFLICT(diff_id, compression) DO UPDATE SET blob_digest=$b, media_type=$m, size=$s
            """,
            ("$d", diffId.ToString()), ("$c", Name(compression)), ("$b", blob.Digest.ToString()), ("$m", blob.MediaType), ("$s", blob.Size));

    /// <summary>Repositories of <paramref name="registry"/> the blob is known to be in, most recently learnt first.</summary>
    public IReadOnlyList<string> RepositoriesWith(Digest blob, string registry) =>
        db.Query("SELECT repository FROM blob_sources WHERE digest=$d AND registry=$r ORDER BY seen DESC LIMIT 8",
            r => r.GetString(0), ("$d", blob.ToString()), ("$r", registry));

    /// <summary>Records where blobs are; what is known already is left alone (a push with nothing new writes nothing).</summary>
    public void RecordBlobSources(string registry, string repository, IEnumerable<Digest> blobs) => db.InTransaction(() =>
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var b in blobs)
            db.Execute("""
                INSERT INTO blob_sources(digest, registry, repository, seen) VALUES($d, $g, $r, $n)
                ON CONFLICT(digest, registry, repository) DO NOTHING
                """, ("$d", b.ToString()), ("$g", registry), ("$r", repository), ("$n", now));
    });

    /// <summary>The digest and size of a manifest rewritten from <paramref name="source"/> (the stored
    /// manifest's digest and the blobs its layers went as), when it was made before.</summary>
    public (Digest Digest, long Size)? RewrittenManifest(string source) =>
        db.Query("SELECT digest, size FROM rewritten_manifests WHERE source=$s", r => (Digest.Parse(r.GetString(0)), r.GetInt64(1)), ("$s", source))
            is [var one] ? one : null;

    public void RecordRewrittenManifest(string source, Digest digest, long size) =>
        db.Execute("INSERT INTO rewritten_manifests(source, digest, size) VALUES($s, $d, $n) ON CONFLICT(source) DO UPDATE SET digest=$d, size=$n",
            ("$s", source), ("$d", digest.ToString()), ("$n", size));

    private static string Name(Compression c) => c switch
    {
        Compression.Gzip => "gzip",
        Compression.Zstd => "zstd",
        _ => "none",
    };
}

internal sealed class DistributionSchema : ISchema
{
    public string Domain => "distribution";

    public IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE layer_blobs (
            diff_id TEXT NOT NULL,               -- uncompressed layer digest
            compression TEXT NOT NULL,           -- none | gzip | zstd
            blob_digest TEXT NOT NULL,           -- the compressed blob it becomes
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            PRIMARY KEY (diff_id, compression)
        );
        CREATE TABLE blob_sources (
            digest TEXT NOT NULL,
            registry TEXT NOT NULL,              -- as references name it: docker.io, host:5000
            repository TEXT NOT NULL,            -- path inside the registry
            seen INTEGER NOT NULL,               -- unix ms
            PRIMARY KEY (digest, registry, repository)
        );
        """,
        """
        CREATE TABLE rewritten_manifests (
            source TEXT PRIMARY KEY,             -- stored manifest digest, then each layer's compression:blob:size
            digest TEXT NOT NULL,                -- of the manifest push made from them
            size INTEGER NOT NULL
        );
        """,
    ];
}
