using Berth.Engine.Content;
using Berth.Engine.Metadata;
using Berth.Engine.Oci;
using Microsoft.Data.Sqlite;

namespace Berth.Engine.Images;

/// <summary>
/// Image records, tags and repo digests in the metadata database; the manifests, configs and
/// layer blobs they name live in the content store. Every change is one transaction.
/// </summary>
public sealed class ImageStore
{
    private readonly MetadataDb _db;
    private readonly IContentStore _content;

    public ImageStore(MetadataDb db, IContentStore content)
    {
        _db = db;
        _content = content;
    }

    public IContentStore Content => _content;

    // ---------------------------------------------------------------- reading

    /// <summary>All images with their tags, digests and layers, newest first.</summary>
    public IReadOnlyList<ImageRecord> List(bool includeIntermediate = true)
    {
        var layers = new Dictionary<string, List<LayerRecord>>();
        using (var cmd = _db.Command("SELECT image_id, idx, diff_id, chain_id, blob_digest, blob_media_type, blob_size, diff_size FROM image_layers ORDER BY image_id, idx"))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                var id = r.GetString(0);
                if (!layers.TryGetValue(id, out var list)) layers[id] = list = [];
                list.Add(ReadLayer(r, 1));
            }
        var tags = ReferencesByImage("SELECT image_id, ref FROM tags ORDER BY ref");
        var digests = ReferencesByImage("SELECT image_id, ref FROM repo_digests ORDER BY ref");
        var images = _db.Query($"SELECT {Columns} FROM images" + (includeIntermediate ? "" : " WHERE intermediate=0") + " ORDER BY COALESCE(created, added) DESC, id",
            r => ReadImage(r, layers, tags, digests));
        return images;
    }

    private Dictionary<string, List<ImageReference>> ReferencesByImage(string sql)
    {
        var map = new Dictionary<string, List<ImageReference>>();
        using var cmd = _db.Command(sql);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var id = r.GetString(0);
            if (!map.TryGetValue(id, out var list)) map[id] = list = [];
            list.Add(ImageReference.FromStored(r.GetString(1)));
        }
        return map;
    }

    private const string Columns = "id, manifest_digest, manifest_media_type, manifest_size, config_size, created, added, os, architecture, intermediate";

    private static ImageRecord ReadImage(SqlReader r,
        Dictionary<string, List<LayerRecord>> layers,
        Dictionary<string, List<ImageReference>> tags,
        Dictionary<string, List<ImageReference>> digests)
    {
        var id = r.GetString(0);
        return new ImageRecord
        {
            Id = Digest.FromStored(id),
            Manifest = new Descriptor { Digest = Digest.FromStored(r.GetString(1)), MediaType = r.GetString(2), Size = r.GetInt64(3) },
            ConfigSize = r.GetInt64(4),
            Created = r.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
            Added = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
            Os = r.GetString(7),
            Architecture = r.GetString(8),
            Intermediate = r.GetInt64(9) != 0,
            Layers = layers.GetValueOrDefault(id) ?? [],
            Tags = tags.GetValueOrDefault(id) ?? [],
            RepoDigests = digests.GetValueOrDefault(id) ?? [],
        };
    }

    private static LayerRecord ReadLayer(SqlReader r, int o) => new(
        r.GetInt32(o),
        Digest.FromStored(r.GetString(o + 1)),
        Digest.FromStored(r.GetString(o + 2)),
        new Descriptor { Digest = Digest.FromStored(r.GetString(o + 3)), MediaType = r.GetString(o + 4), Size = r.GetInt64(o + 5) },
        r.IsDBNull(o + 6) ? null : r.GetInt64(o + 6));

    public ImageRecord? Get(Digest id)
    {
        var key = id.ToString();
        var layers = _db.Query("SELECT idx, diff_id, chain_id, blob_digest, blob_media_type, blob_size, diff_size FROM image_layers WHERE image_id=$id ORDER BY idx",
            r => ReadLayer(r, 0), ("$id", key));
        var tags = _db.Query("SELECT ref FROM tags WHERE image_id=$id ORDER BY ref", r => ImageReference.FromStored(r.GetString(0)), ("$id", key));
        var digests = _db.Query("SELECT ref FROM repo_digests WHERE image_id=$id ORDER BY ref", r => ImageReference.FromStored(r.GetString(0)), ("$id", key));
        return _db.Query($"SELECT {Columns} FROM images WHERE id=$id",
            r => ReadImage(r, new() { [key] = layers }, new() { [key] = tags }, new() { [key] = digests }), ("$id", key)).FirstOrDefault();
    }

    /// <summary>
    /// Finds an image as docker does: a reference (name[:tag] or name@digest), then a full image ID,
    /// then a unique ID prefix. Returns null when nothing matches.
    /// </summary>
    public ImageRecord? Find(string nameOrId)
    {
        if (LooksLikeId(nameOrId, out var hexPrefix, out bool full))
        {
            if (full && hexPrefix is not null) return Get(Digest.Sha256(hexPrefix));
        }
        if (ImageReference.TryParse(nameOrId, out var reference))
        {
            string? id = reference.Digest is { } d
                ? (string?)_db.Scalar("SELECT image_id FROM repo_digests WHERE ref=$r", ("$r", reference.Repository + "@" + d))
                  ?? (string?)_db.Scalar("SELECT id FROM images WHERE manifest_digest=$d OR id=$d LIMIT 1", ("$d", d.ToString()))
                : (string?)_db.Scalar("SELECT image_id FROM tags WHERE ref=$r", ("$r", reference.ToString()));
            if (id is not null) return Get(Digest.Parse(id));
        }
        if (hexPrefix is not null)
        {
            var ids = _db.Query("SELECT id FROM images WHERE id >= $lo AND id < $hi LIMIT 2", r => r.GetString(0),
                ("$lo", "sha256:" + hexPrefix), ("$hi", "sha256:" + hexPrefix + "~"));
            if (ids.Count > 1) throw new BerthException($"image ID prefix \"{nameOrId}\" is ambiguous: give more characters");
            if (ids.Count == 1) return Get(Digest.Parse(ids[0]));
        }
        return null;
    }

    public ImageRecord Resolve(string nameOrId) =>
        Find(nameOrId) ?? throw new NotFoundException($"No such image: {nameOrId}");

    private static bool LooksLikeId(string s, out string? hexPrefix, out bool full)
    {
        var hex = s.StartsWith("sha256:", StringComparison.Ordinal) ? s[7..] : s;
        bool isHex = hex.Length is > 0 and <= 64 && hex.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
        hexPrefix = isHex ? hex : null;
        full = isHex && hex.Length == 64;
        return isHex;
    }

    public byte[] ReadConfigBytes(ImageRecord image) => _content.ReadAllBytes(image.Id);

    public ImageConfig ReadConfig(ImageRecord image) =>
        OciJson.Parse(ReadConfigBytes(image), OciJson.Default.ImageConfig, $"image config {image.Id.Short}");

    public byte[] ReadManifestBytes(ImageRecord image) => _content.ReadAllBytes(image.Manifest.Digest);

    // ---------------------------------------------------------------- writing

    /// <summary>Records an image whose manifest, config and layer blobs are already in the content store.</summary>
    public void Add(ImageRecord image, IEnumerable<ImageReference>? tags = null, IEnumerable<ImageReference>? repoDigests = null) => _db.InTransaction(() =>
    {
        var id = image.Id.ToString();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        bool exists = _db.Scalar("SELECT 1 FROM images WHERE id=$id", ("$id", id)) is not null;
        if (!exists)
        {
            _db.Execute("""
                INSERT INTO images(id, manifest_digest, manifest_media_type, manifest_size, config_size, created, added, os, architecture, intermediate)
                VALUES($id, $md, $mt, $ms, $cs, $cr, $ad, $os, $ar, $in)
                """,
                ("$id", id), ("$md", image.Manifest.Digest.ToString()), ("$mt", image.Manifest.MediaType), ("$ms", image.Manifest.Size),
                ("$cs", image.ConfigSize), ("$cr", image.Created?.ToUnixTimeMilliseconds()), ("$ad", now),
                ("$os", image.Os), ("$ar", image.Architecture), ("$in", image.Intermediate ? 1 : 0));
            foreach (var l in image.Layers)
                _db.Execute("""
                    INSERT INTO image_layers(image_id, idx, diff_id, chain_id, blob_digest, blob_media_type, blob_size, diff_size)
                    VALUES($id, $i, $d, $c, $b, $t, $s, $ds)
                    """,
                    ("$id", id), ("$i", l.Index), ("$d", l.DiffId.ToString()), ("$c", l.ChainId.ToString()),
                    ("$b", l.Blob.Digest.ToString()), ("$t", l.Blob.MediaType), ("$s", l.Blob.Size), ("$ds", l.DiffSize));
        }
        else if (!image.Intermediate)
        {
            _db.Execute("UPDATE images SET intermediate=0 WHERE id=$id", ("$id", id));
        }
        foreach (var t in tags ?? []) SetTag(id, t, now);
        foreach (var r in repoDigests ?? [])
            _db.Execute("INSERT INTO repo_digests(ref, image_id) VALUES($r, $id) ON CONFLICT(ref) DO UPDATE SET image_id=$id",
                ("$r", r.Repository + "@" + r.Digest), ("$id", id));
    });

    private void SetTag(string id, ImageReference reference, long now)
    {
        if (reference.Tag is null) throw new BerthException($"cannot tag with \"{reference.Familiar}\": a tag reference needs name:tag, not a digest");
        _db.Execute("INSERT INTO tags(ref, image_id, updated) VALUES($r, $id, $u) ON CONFLICT(ref) DO UPDATE SET image_id=$id, updated=$u",
            ("$r", reference.WithTag(reference.Tag).ToString()), ("$id", id), ("$u", now));
    }

    public void Tag(Digest id, ImageReference reference) => _db.InTransaction(() =>
    {
        if (_db.Scalar("SELECT 1 FROM images WHERE id=$id", ("$id", id.ToString())) is null)
            throw new NotFoundException($"No such image: {id}");
        SetTag(id.ToString(), reference, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    });

    /// <summary>Removes one tag or repo digest; returns false when it did not exist.</summary>
    public bool Untag(ImageReference reference) =>
        reference.Digest is { } d
            ? _db.Execute("DELETE FROM repo_digests WHERE ref=$r", ("$r", reference.Repository + "@" + d)) > 0
            : _db.Execute("DELETE FROM tags WHERE ref=$r", ("$r", reference.ToString())) > 0;

    /// <summary>Deletes the image record with its tags and digests (content is left to garbage collection).</summary>
    public void Delete(Digest id) => _db.InTransaction(() =>
    {
        _db.Execute("DELETE FROM tags WHERE image_id=$id", ("$id", id.ToString()));
        _db.Execute("DELETE FROM images WHERE id=$id", ("$id", id.ToString()));
    });

    /// <summary>Time the image was last tagged, for inspect's Metadata.LastTagTime.</summary>
    public DateTimeOffset? LastTagTime(Digest id) =>
        _db.Scalar("SELECT MAX(updated) FROM tags WHERE image_id=$id", ("$id", id.ToString())) is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>The uncompressed tar size of a layer, if any stored image measured it.</summary>
    public long? DiffSizeOf(Digest diffId) =>
        _db.Scalar("SELECT diff_size FROM image_layers WHERE diff_id=$d AND diff_size IS NOT NULL LIMIT 1", ("$d", diffId.ToString())) as long?;

    // ---------------------------------------------------------------- what is still referenced

    /// <summary>Every blob digest some image still names (manifests, configs, layers).</summary>
    public HashSet<Digest> ReferencedBlobs()
    {
        var set = new HashSet<Digest>();
        foreach (var s in _db.Query("SELECT id FROM images UNION SELECT manifest_digest FROM images UNION SELECT blob_digest FROM image_layers", r => r.GetString(0)))
            set.Add(Digest.Parse(s));
        return set;
    }

    /// <summary>Every chain ID some image still needs.</summary>
    public HashSet<string> ReferencedChainIds() =>
        _db.Query("SELECT DISTINCT chain_id FROM image_layers", r => r.GetString(0)).ToHashSet();
}
