using Berth.Engine;
using Berth.Engine.Oci;

namespace Berth.Registry.Storage;

/// <summary>What a manifest push did: its digest, and the subject it refers to when it has one.</summary>
public sealed record PutManifestResult(Digest Digest, Digest? Subject);

/// <summary>
/// The manifests of one repository: revisions (by digest) and tags. A push is checked before it is
/// stored: known media type, well-formed JSON, and every blob or child manifest it names present in
/// this repository. The bytes are kept exactly as pushed.
/// </summary>
public sealed class ManifestStore(RegistryPaths paths, BlobStore blobs, ManifestCache cache, string repository)
{
    private static readonly string[] AcceptedTypes =
        [MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList];

    /// <summary>The manifest a tag or digest names, or null when the repository has none such.</summary>
    public StoredManifest? Get(string reference)
    {
        var digest = Resolve(reference);
        return digest is { } d ? Get(d) : null;
    }

    public StoredManifest? Get(Digest d)
    {
        var link = paths.RevisionLink(repository, d);
        if (cache.TryGet(d, out var hit))
            return File.Exists(link) ? hit : null;
        var mediaType = Links.Read(link);
        if (mediaType is null) return null;
        byte[] bytes;
        try { bytes = blobs.ReadAllBytes(d); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        var m = new StoredManifest(d, mediaType, bytes);
        cache.Add(m);
        return m;
    }

    public bool Has(Digest d) => File.Exists(paths.RevisionLink(repository, d));

    /// <summary>A tag's digest, or the digest itself; throws for references that are neither.</summary>
    public Digest? Resolve(string reference)
    {
        if (reference.Contains(':')) return Names.CheckDigest(reference);
        if (!Names.IsValidTag(reference))
            throw new RegistryException(RegistryError.ManifestInvalid, $"invalid tag \"{Names.Truncate(reference)}\"");
        var text = Links.Read(paths.Tag(repository, reference));
        return text is not null && Digest.TryParse(text.Trim(), out var d) ? d : null;
    }

    public PutManifestResult Put(string reference, string? contentType, byte[] body)
    {
        bool byDigest = reference.Contains(':');
        Digest digest;
        if (byDigest)
        {
            var want = Names.CheckDigest(reference);
            if (!want.Matches(body))
                throw new RegistryException(RegistryError.DigestInvalid, $"manifest body does not match digest {want}", want.ToString());
            digest = want;
        }
        else
        {
            if (!Names.IsValidTag(reference))
                throw new RegistryException(RegistryError.ManifestInvalid, $"invalid tag \"{Names.Truncate(reference)}\": use up to 128 of [A-Za-z0-9_.-], not starting with . or -");
            digest = Digest.Compute(body);
        }

        var (mediaType, probe) = Parse(contentType, body);
        CheckReferences(mediaType, probe);

        blobs.Put(digest, body);
        Links.Write(paths.RevisionLink(repository, digest), mediaType);
        Digest? subject = null;
        if (probe.Subject is { } s && s.Digest.IsSupported)
        {
            subject = s.Digest;
            Links.Write(paths.ReferrerLink(repository, s.Digest, digest));
        }
        if (!byDigest) Links.Write(paths.Tag(repository, reference), digest.ToString());
        cache.Add(new StoredManifest(digest, mediaType, body));
        return new PutManifestResult(digest, subject);
    }

    /// <summary>
    /// Deletes a tag, or a manifest by digest together with every tag that points at it. Returns false
    /// when there was nothing to delete.
    /// </summary>
    public bool Delete(string reference)
    {
        var isDigest = reference.Contains(':');
        if (!isDigest)
        {
            if (!Names.IsValidTag(reference))
                throw new RegistryException(RegistryError.ManifestInvalid, $"invalid tag \"{Names.Truncate(reference)}\"");
            return Links.Delete(paths.Tag(repository, reference));
        }
        var d = Names.CheckDigest(reference);
        var m = Get(d);
        if (m is null) return false;
        foreach (var tag in TagsPointingAt(d)) Links.Delete(paths.Tag(repository, tag));
        if (TryProbe(m.Bytes)?.Subject is { } s && s.Digest.IsSupported)
            Links.Delete(paths.ReferrerLink(repository, s.Digest, d));
        return Links.Delete(paths.RevisionLink(repository, d));
    }

    /// <summary>Tags in ASCII order (the spec's order).</summary>
    public List<string> Tags()
    {
        var dir = paths.TagsDir(repository);
        if (!Directory.Exists(dir)) return [];
        var tags = new List<string>();
        foreach (var f in Directory.EnumerateFiles(dir))
        {
            var name = Path.GetFileName(f);
            if (Names.IsValidTag(name)) tags.Add(name);
        }
        tags.Sort(StringComparer.Ordinal);
        return tags;
    }

    public IEnumerable<string> TagsPointingAt(Digest d) =>
        Tags().Where(t => Links.Read(paths.Tag(repository, t))?.Trim() == d.ToString());

    public IEnumerable<Digest> Revisions() => Links.List(paths.RevisionsDir(repository));

    /// <summary>Descriptors of the manifests whose subject is <paramref name="subject"/>, as the referrers API lists them.</summary>
    public List<Descriptor> Referrers(Digest subject, string? artifactType)
    {
        var result = new List<Descriptor>();
        var dir = paths.ReferrersOf(repository, subject);
        if (!Directory.Exists(dir)) return result;
        foreach (var f in Directory.EnumerateFiles(dir))
        {
            var name = Path.GetFileName(f);
            int dash = name.IndexOf('-');
            if (dash <= 0 || !Digest.TryParse(name[..dash] + ":" + name[(dash + 1)..], out var d)) continue;
            var m = Get(d);
            if (m is null || TryProbe(m.Bytes) is not { } probe) continue;
            var type = probe.ArtifactType ?? (MediaTypes.IsManifest(m.MediaType) ? probe.Config?.MediaType : null);
            if (artifactType is not null && type != artifactType) continue;
            result.Add(new Descriptor
            {
                MediaType = m.MediaType,
                Digest = d,
                Size = m.Bytes.Length,
                ArtifactType = type,
                Annotations = probe.Annotations,
            });
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Digest.ToString(), b.Digest.ToString()));
        return result;
    }

    /// <summary>The child manifests, config and layers a stored manifest names (for garbage collection).</summary>
    public static IEnumerable<Descriptor> References(StoredManifest m)
    {
        if (TryProbe(m.Bytes) is not { } p) yield break;
        if (p.Config is { } c) yield return c;
        foreach (var l in p.Layers ?? []) yield return l;
        foreach (var x in p.Manifests ?? []) yield return x;
    }

    public static ManifestProbe? TryProbe(byte[] bytes)
    {
        try { return OciJson.Parse(bytes, OciJson.Default.ManifestProbe, "manifest"); }
        catch (BerthException) { return null; }
    }

    private static (string MediaType, ManifestProbe Probe) Parse(string? contentType, byte[] body)
    {
        ManifestProbe probe;
        try { probe = OciJson.Parse(body, OciJson.Default.ManifestProbe, "manifest"); }
        catch (BerthException e) { throw new RegistryException(RegistryError.ManifestInvalid, e.Message); }

        var declared = contentType?.Split(';')[0].Trim();
        if (declared is "" or "application/json" or "application/octet-stream") declared = null;
        if (probe.MediaType is { } field && declared is not null && field != declared)
            throw new RegistryException(RegistryError.ManifestInvalid, $"Content-Type {declared} does not match the manifest's mediaType {field}");
        var mediaType = probe.MediaType ?? declared
            ?? (probe.Manifests is not null ? MediaTypes.OciIndex : probe.Config is not null ? MediaTypes.OciManifest : null)
            ?? throw new RegistryException(RegistryError.ManifestInvalid, "manifest has no mediaType and no Content-Type");
        if (mediaType is MediaTypes.DockerSchema1Manifest or MediaTypes.DockerSchema1SignedManifest)
            throw new RegistryException(RegistryError.ManifestInvalid, "Docker schema1 manifests are not supported: push schema2 or OCI");
        if (!AcceptedTypes.Contains(mediaType))
            throw new RegistryException(RegistryError.ManifestInvalid, $"unsupported manifest media type \"{Names.Truncate(mediaType)}\"");
        if (probe.SchemaVersion != 2)
            throw new RegistryException(RegistryError.ManifestInvalid, $"schemaVersion must be 2, not {probe.SchemaVersion?.ToString() ?? "missing"}");
        if (MediaTypes.IsManifest(mediaType) && (probe.Config is null || probe.Layers is null))
            throw new RegistryException(RegistryError.ManifestInvalid, "an image manifest needs config and layers");
        if (MediaTypes.IsIndex(mediaType) && probe.Manifests is null)
            throw new RegistryException(RegistryError.ManifestInvalid, "an index needs manifests");
        return (mediaType, probe);
    }

    private void CheckReferences(string mediaType, ManifestProbe probe)
    {
        if (MediaTypes.IsManifest(mediaType))
        {
            CheckBlob(probe.Config!);
            foreach (var layer in probe.Layers!)
                if (layer.Urls is not { Count: > 0 }) CheckBlob(layer);
        }
        else
        {
            foreach (var child in probe.Manifests!)
            {
                var d = CheckDescriptorDigest(child);
                if (!Has(d))
                    throw new RegistryException(RegistryError.ManifestBlobUnknown, $"index refers to manifest {d}, which this repository does not have", d.ToString());
            }
        }
    }

    private void CheckBlob(Descriptor desc)
    {
        var d = CheckDescriptorDigest(desc);
        var linked = File.Exists(paths.LayerLink(repository, d)) || File.Exists(paths.RevisionLink(repository, d));
        var info = linked ? blobs.Stat(d) : null;
        if (info is null)
            throw new RegistryException(RegistryError.ManifestBlobUnknown, $"manifest refers to blob {d}, which this repository does not have", d.ToString());
        if (info.Value.Size != desc.Size)
            throw new RegistryException(RegistryError.ManifestInvalid, $"descriptor of {d} says {desc.Size} bytes, the blob has {info.Value.Size}", d.ToString());
    }

    private static Digest CheckDescriptorDigest(Descriptor desc)
    {
        if (!desc.Digest.IsSupported)
            throw new RegistryException(RegistryError.DigestInvalid, $"unsupported digest algorithm in {Names.Truncate(desc.Digest.ToString())}", desc.Digest.ToString());
        return desc.Digest;
    }
}
