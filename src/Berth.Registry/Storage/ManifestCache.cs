using System.Collections.Concurrent;
using Berth.Engine.Oci;

namespace Berth.Registry.Storage;

/// <summary>
/// Manifest bytes by digest, kept in memory for fast pulls. Content addressed, so an entry never goes
/// stale; whether a repository still has the manifest is checked on disk on every request. Bounded:
/// when full it starts over.
/// </summary>
public sealed class ManifestCache(long maxBytes)
{
    private readonly ConcurrentDictionary<Digest, StoredManifest> _entries = new();
    private long _bytes;

    public bool TryGet(Digest d, out StoredManifest manifest) => _entries.TryGetValue(d, out manifest!);

    public void Add(StoredManifest m)
    {
        if (m.Bytes.Length > maxBytes / 16) return;
        if (Interlocked.Add(ref _bytes, m.Bytes.Length) > maxBytes)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _bytes, m.Bytes.Length);
        }
        _entries[m.Digest] = m;
    }
}

/// <summary>A manifest as stored: exactly the bytes that were pushed, and their media type.</summary>
public sealed record StoredManifest(Digest Digest, string MediaType, byte[] Bytes);
