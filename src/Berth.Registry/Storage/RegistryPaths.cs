using Berth.Engine.Oci;

namespace Berth.Registry.Storage;

/// <summary>
/// The whole on-disk layout of a registry root, in one place. Every path is built from validated
/// parts only (repository names, tags and digests checked by <see cref="Names"/> and
/// <see cref="Digest"/>), so no request can name a file outside the root.
/// <code>
/// blobs/&lt;alg&gt;/&lt;hex[0:2]&gt;/&lt;hex&gt;                           every blob and manifest, stored once
/// repositories/&lt;name&gt;/_layers/&lt;alg&gt;/&lt;hex&gt;                  link: the repository may serve this blob
/// repositories/&lt;name&gt;/_manifests/revisions/&lt;alg&gt;/&lt;hex&gt;      link: a manifest of the repository; holds its media type
/// repositories/&lt;name&gt;/_manifests/tags/&lt;tag&gt;                   a tag; holds the digest it points at
/// repositories/&lt;name&gt;/_manifests/referrers/&lt;alg&gt;/&lt;hex&gt;/&lt;alg&gt;-&lt;hex&gt;
///                                                            link: a manifest whose subject is &lt;alg&gt;:&lt;hex&gt;
/// repositories/&lt;name&gt;/_uploads/&lt;id&gt;/data                    bytes received so far by an upload session
/// repositories/&lt;name&gt;/_uploads/&lt;id&gt;/startedat               when the session began (ISO 8601)
/// tmp/                                                       temp files of atomic writes
/// </code>
/// Repository name components start with [a-z0-9], so the <c>_</c> directories never clash with them.
/// </summary>
public sealed class RegistryPaths(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string BlobsDir => Path.Combine(Root, "blobs");
    public string RepositoriesDir => Path.Combine(Root, "repositories");
    public string TmpDir => Path.Combine(Root, "tmp");

    public string Blob(Digest d) => Path.Combine(BlobsDir, d.Algorithm, d.Hex[..2], d.Hex);

    public string Repository(string name) => Path.Combine(RepositoriesDir, name);

    public string LayersDir(string name) => Path.Combine(Repository(name), "_layers");
    public string LayerLink(string name, Digest d) => Path.Combine(LayersDir(name), d.Algorithm, d.Hex);

    public string ManifestsDir(string name) => Path.Combine(Repository(name), "_manifests");
    public string RevisionsDir(string name) => Path.Combine(ManifestsDir(name), "revisions");
    public string RevisionLink(string name, Digest d) => Path.Combine(RevisionsDir(name), d.Algorithm, d.Hex);

    public string TagsDir(string name) => Path.Combine(ManifestsDir(name), "tags");
    public string Tag(string name, string tag) => Path.Combine(TagsDir(name), tag);

    public string ReferrersDir(string name) => Path.Combine(ManifestsDir(name), "referrers");
    public string ReferrersOf(string name, Digest subject) => Path.Combine(ReferrersDir(name), subject.Algorithm, subject.Hex);
    public string ReferrerLink(string name, Digest subject, Digest referrer) =>
        Path.Combine(ReferrersOf(name, subject), referrer.Algorithm + "-" + referrer.Hex);

    public string UploadsDir(string name) => Path.Combine(Repository(name), "_uploads");
    public string Upload(string name, string id) => Path.Combine(UploadsDir(name), id);
    public string UploadData(string name, string id) => Path.Combine(Upload(name, id), "data");
    public string UploadStartedAt(string name, string id) => Path.Combine(Upload(name, id), "startedat");

    /// <summary>A fresh temp path in the root's <c>tmp/</c> (same filesystem, so a rename publishes it).</summary>
    public string NewTemp() => Path.Combine(TmpDir, $"{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>Parses a digest back out of a <c>&lt;alg&gt;/&lt;hex&gt;</c> link path's last two parts.</summary>
    public static bool TryDigestOf(string alg, string hex, out Digest digest) => Digest.TryParse(alg + ":" + hex, out digest);
}
