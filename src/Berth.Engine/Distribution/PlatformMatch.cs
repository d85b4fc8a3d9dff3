using Berth.Engine.Oci;

namespace Berth.Engine.Distribution;

/// <summary>Picks the entry of an index that runs on a platform, as containerd's matcher does.</summary>
public static class PlatformMatch
{
    /// <summary>
    /// The entry for <paramref name="wanted"/>: os and architecture must match; a wanted variant must
    /// match too; with none wanted, an entry without variant (or amd64's v1) is preferred.
    /// Attestation manifests (platform unknown/unknown) never match.
    /// </summary>
    public static Descriptor? Pick(IReadOnlyList<Descriptor> entries, Platform wanted)
    {
        Descriptor? best = null;
        int bestScore = -1;
        foreach (var e in entries)
        {
            if (!MediaTypes.IsManifest(e.MediaType) && !MediaTypes.IsIndex(e.MediaType)) continue;
            var p = e.Platform;
            if (p is null)
            {
                if (entries.Count == 1) return e;
                continue;
            }
            if (!p.Os.Equals(wanted.Os, StringComparison.OrdinalIgnoreCase) || !p.Architecture.Equals(wanted.Architecture, StringComparison.OrdinalIgnoreCase)) continue;
            int score;
            if (wanted.Variant is { } v) score = string.Equals(p.Variant, v, StringComparison.OrdinalIgnoreCase) ? 2 : -1;
            else score = p.Variant is null or "v1" ? 2 : 1;
            if (score > bestScore) { best = e; bestScore = score; }
        }
        return best;
    }

    public static string Describe(IReadOnlyList<Descriptor> entries)
    {
        var names = entries.Where(e => e.Platform is not null && e.Platform.Os != "unknown").Select(e => e.Platform!.ToString()).Distinct().ToList();
        return names.Count == 0 ? "no platforms" : string.Join(", ", names);
    }
}
