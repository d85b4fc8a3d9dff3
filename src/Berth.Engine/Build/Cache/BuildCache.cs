using Berth.Engine.Images;
using Berth.Engine.Metadata;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Cache;

/// <summary>One cached step result.</summary>
/// <param name="Config">The image config JSON after the step, byte-exact (its digest is the state ID).</param>
/// <param name="Layer">The layer the step added (blob digest = diff ID), or null for a metadata-only step.</param>
/// <param name="ChainId">The committed snapshot of the state after the step, or null while it has no layers.</param>
public sealed record CacheEntry(string Key, byte[] Config, Digest ConfigDigest, Descriptor? Layer, string? ChainId, DateTimeOffset Created);

/// <summary>What <c>builder prune</c> removed.</summary>
public sealed record CachePruneResult(int Entries, CollectResult Collected);

/// <summary>
/// The build cache table: step results by key. Every write is one transaction; lookups are one
/// indexed query. It is a garbage-collection root: the layers and snapshots its rows name stay.
/// </summary>
public sealed class BuildCache(MetadataDb db) : IGarbageRoots
{
    public CacheEntry? Find(string key) =>
        db.Query("SELECT config, config_digest, layer_diff_id, layer_size, chain_id, created FROM build_cache WHERE key=$k",
            r => new CacheEntry(key, (byte[])r.GetValue(0), Digest.Parse(r.GetString(1)),
                r.IsDBNull(2) ? null : new Descriptor { MediaType = MediaTypes.OciLayer, Digest = Digest.Parse(r.GetString(2)), Size = r.GetInt64(3) },
                r.IsDBNull(4) ? null : r.GetString(4),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5))),
            ("$k", key)).FirstOrDefault();

    public void Put(CacheEntry e)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        db.InTransaction(() => db.Execute("""
            INSERT INTO build_cache(key, config, config_digest, layer_diff_id, layer_size, chain_id, created, last_used)
            VALUES($k, $c, $cd, $l, $ls, $ch, $cr, $now)
            ON CONFLICT(key) DO UPDATE SET config=$c, config_digest=$cd, layer_diff_id=$l, layer_size=$ls, chain_id=$ch, created=$cr, last_used=$now
            """,
            ("$k", e.Key), ("$c", e.Config), ("$cd", e.ConfigDigest.ToString()), ("$l", e.Layer?.Digest.ToString()),
            ("$ls", e.Layer?.Size), ("$ch", e.ChainId), ("$cr", e.Created.ToUnixTimeMilliseconds()), ("$now", now)));
    }

    public void Remove(string key) => db.Execute("DELETE FROM build_cache WHERE key=$k", ("$k", key));

    /// <summary>Marks entries as used now (one transaction for all of them).</summary>
    public void Touch(IReadOnlyCollection<string> keys)
    {
        if (keys.Count == 0) return;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        db.InTransaction(() =>
        {
            foreach (var k in keys) db.Execute("UPDATE build_cache SET last_used=$now WHERE key=$k", ("$now", now), ("$k", k));
        });
    }

    /// <summary>Deletes entries not used since <paramref name="unusedSince"/> (all when null); returns how many.</summary>
    public int Delete(DateTimeOffset? unusedSince) => unusedSince is { } t
        ? db.Execute("DELETE FROM build_cache WHERE last_used < $t", ("$t", t.ToUnixTimeMilliseconds()))
        : db.Execute("DELETE FROM build_cache");

    /// <summary>Number of entries and the bytes of the layers they added.</summary>
    public (int Entries, long LayerBytes) Usage() =>
        db.Query("SELECT COUNT(*), COALESCE(SUM(layer_size), 0) FROM build_cache", r => (r.GetInt32(0), r.GetInt64(1))).First();

    public IEnumerable<Digest> ReferencedBlobs() =>
        db.Query("SELECT DISTINCT layer_diff_id FROM build_cache WHERE layer_diff_id IS NOT NULL", r => Digest.Parse(r.GetString(0)));

    public IEnumerable<string> ReferencedChainIds() =>
        db.Query("SELECT DISTINCT chain_id FROM build_cache WHERE chain_id IS NOT NULL", r => r.GetString(0));
}
