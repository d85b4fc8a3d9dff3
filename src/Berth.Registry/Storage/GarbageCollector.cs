using Berth.Engine.Oci;

namespace Berth.Registry.Storage;

public sealed record GcOptions
{
    /// <summary>Report what would go, delete nothing.</summary>
    public bool DryRun { get; init; }
    /// <summary>Also delete manifests no tag reaches (directly, through an index, or as a referrer).</summary>
    public bool DeleteUntagged { get; init; }
    /// <summary>Blobs and manifests used more recently than this before the mark began are kept.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Upload sessions untouched for longer than this are removed.</summary>
    public TimeSpan UploadMaxAge { get; init; } = TimeSpan.FromHours(24);
}

public sealed record GcReport(int Repositories, int BlobsKept, int BlobsDeleted, long BytesFreed, int ManifestsDeleted, int UploadsPurged);

/// <summary>
/// Mark and sweep over the global blob store. Mark: every manifest of every repository (or, with
/// <see cref="GcOptions.DeleteUntagged"/>, those reachable from a tag) and all it references. Sweep:
/// delete unmarked blobs, except those used during the grace period: a server running beside the
/// collection touches each blob it links, so a push in progress never loses its blobs.
/// </summary>
public sealed class GarbageCollector(RegistryStorage storage, Action<string>? log = null)
{
    public GcReport Run(GcOptions options)
    {
        var markStart = DateTime.UtcNow;
        var cutoff = markStart - options.Grace;
        var marked = new HashSet<Digest>();
        int manifestsDeleted = 0;
        var repositories = storage.Catalog();

        foreach (var name in repositories)
        {
            var repo = storage.Repository(name);
            var keep = options.DeleteUntagged ? Reachable(repo, cutoff) : repo.Manifests.Revisions().ToHashSet();
            if (options.DeleteUntagged)
            {
                foreach (var d in repo.Manifests.Revisions().Where(d => !keep.Contains(d)).ToList())
                {
                    log?.Invoke($"{(options.DryRun ? "would delete" : "deleting")} manifest {name}@{d}");
                    manifestsDeleted++;
                    if (!options.DryRun) repo.Manifests.Delete(d.ToString());
                }
            }
            foreach (var d in keep)
            {
                marked.Add(d);
                if (repo.Manifests.Get(d) is { } m)
                    foreach (var r in ManifestStore.References(m))
                        if (r.Digest.IsSupported) marked.Add(r.Digest);
            }
        }

        int kept = 0, deleted = 0;
        long freed = 0;
        foreach (var (digest, size, lastUsed) in storage.Blobs.List().ToList())
        {
            if (marked.Contains(digest) || lastUsed >= cutoff) { kept++; continue; }
            log?.Invoke($"{(options.DryRun ? "would delete" : "deleting")} blob {digest} ({size} bytes)");
            if (!options.DryRun)
            {
                // Last look: a server may have linked it since the listing.
                var now = storage.Blobs.Stat(digest);
                if (now is null) continue;
                if (File.GetLastWriteTimeUtc(now.Value.Path) >= cutoff) { kept++; continue; }
                storage.Blobs.Delete(digest);
            }
            deleted++;
            freed += size;
        }

        if (!options.DryRun)
            foreach (var name in repositories)
            {
                var repo = storage.Repository(name);
                foreach (var d in repo.LinkedBlobs().ToList())
                    if (!storage.Blobs.Exists(d)) repo.UnlinkBlob(d);
            }

        int purged = storage.Uploads.Purge(options.UploadMaxAge, options.DryRun);
        if (!options.DryRun) storage.CleanTemp(TimeSpan.FromHours(1));
        return new GcReport(repositories.Count, kept, deleted, freed, manifestsDeleted, purged);
    }

    /// <summary>Manifests reachable from a tag, pushed during the grace period, or referring to one of those.</summary>
    private static HashSet<Digest> Reachable(RepositoryStorage repo, DateTime cutoff)
    {
        var keep = new HashSet<Digest>();
        foreach (var tag in repo.Manifests.Tags())
            if (repo.Manifests.Resolve(tag) is { } d) keep.Add(d);
        var all = repo.Manifests.Revisions().ToList();
        var subjects = new Dictionary<Digest, Digest>();
        foreach (var d in all)
        {
            var m = repo.Manifests.Get(d);
            if (m is null) continue;
            if (ManifestStore.TryProbe(m.Bytes)?.Subject is { } s) subjects[d] = s.Digest;
        }
        foreach (var d in all)
            if (repo.RevisionTime(d) >= cutoff) keep.Add(d);

        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var d in keep.ToList())
                if (repo.Manifests.Get(d) is { } m && MediaTypes.IsIndex(m.MediaType))
                    foreach (var child in ManifestStore.References(m))
                        if (repo.Manifests.Has(child.Digest) && keep.Add(child.Digest)) changed = true;
            foreach (var (d, subject) in subjects)
                if (keep.Contains(subject) && keep.Add(d)) changed = true;
        }
        return keep;
    }
}
