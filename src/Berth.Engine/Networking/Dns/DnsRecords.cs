using System.Globalization;

namespace Berth.Engine.Networking.Dns;

/// <summary>A running container's address on a network, with the names it answers to there.</summary>
public sealed record DnsEntry(string NetworkId, string ContainerId, string Name, IReadOnlyList<string> Aliases, uint Ip);

/// <summary>What the server does with a question.</summary>
public enum DnsOutcome { Answer, NxDomain, Forward }

/// <summary>
/// The names the embedded DNS server knows: per user network, each running container's name, short and
/// full ID and network aliases. A client is answered from every network its container is on (the network
/// it asked through first); several containers sharing an alias come back rotated on each query (round
/// robin). Unknown single-label names, and names under a network's name, are NXDOMAIN; the rest is
/// forwarded to the host's resolvers.
/// </summary>
public sealed class DnsRecords
{
    private readonly List<DnsEntry> _entries;
    private readonly Dictionary<string, string> _networkNames;
    private readonly Dictionary<string, int> _rotation;

    /// <param name="rotation">Round-robin turns per name, kept by the caller across reloads (every container
    /// started reloads the records; the turns must go on).</param>
    public DnsRecords(IEnumerable<DnsEntry> entries, IReadOnlyDictionary<string, string> networkNames, Dictionary<string, int>? rotation = null)
    {
        _entries = entries.ToList();
        _networkNames = new Dictionary<string, string>(networkNames);
        _rotation = rotation ?? new Dictionary<string, int>(StringComparer.Ordinal);
    }

    public (DnsOutcome Outcome, List<uint> Addresses, string? PtrName) Resolve(string networkId, uint client, string name, ushort type)
    {
        name = name.TrimEnd('.').ToLowerInvariant();
        var networks = NetworksOf(networkId, client);
        if (type == DnsQuestion.PTR)
        {
            if (ReverseAddress(name) is { } ip && _entries.FirstOrDefault(e => e.Ip == ip && networks.Contains(e.NetworkId)) is { } owner)
                return (DnsOutcome.Answer, [], owner.Name + "." + _networkNames.GetValueOrDefault(owner.NetworkId, ""));
            return (DnsOutcome.Forward, [], null);
        }
        // name.network: only that network, and authoritative there.
        foreach (var id in networks)
        {
            var suffix = "." + _networkNames.GetValueOrDefault(id, "\0").ToLowerInvariant();
            if (name.EndsWith(suffix, StringComparison.Ordinal))
                return Found(Lookup(name[..^suffix.Length], [id]), name, type, authoritative: true);
        }
        return Found(Lookup(name, networks), name, type, authoritative: !name.Contains('.'));
    }

    private (DnsOutcome, List<uint>, string?) Found(List<uint> addresses, string name, ushort type, bool authoritative)
    {
        if (addresses.Count == 0) return (authoritative ? DnsOutcome.NxDomain : DnsOutcome.Forward, [], null);
        if (type is not (DnsQuestion.A or DnsQuestion.ANY)) return (DnsOutcome.Answer, [], null); // the name exists, with no such record
        if (addresses.Count > 1)
        {
            int turn = _rotation.TryGetValue(name, out var t) ? t + 1 : 0;
            _rotation[name] = turn;
            int k = turn % addresses.Count;
            addresses = [.. addresses.Skip(k), .. addresses.Take(k)];
        }
        return (DnsOutcome.Answer, addresses, null);
    }

    private List<uint> Lookup(string name, IReadOnlyCollection<string> networks)
    {
        var result = new List<uint>();
        foreach (var e in _entries)
        {
            if (!networks.Contains(e.NetworkId)) continue;
            bool match = e.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
                || (name.Length == 12 && e.ContainerId.StartsWith(name, StringComparison.Ordinal))
                || e.ContainerId == name
                || e.Aliases.Any(a => a.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (match && !result.Contains(e.Ip)) result.Add(e.Ip);
        }
        return result;
    }

    /// <summary>The network asked through, then the client container's other networks.</summary>
    private List<string> NetworksOf(string networkId, uint client)
    {
        var list = new List<string> { networkId };
        var container = _entries.FirstOrDefault(e => e.NetworkId == networkId && e.Ip == client)?.ContainerId;
        if (container is null) return list;
        foreach (var e in _entries)
            if (e.ContainerId == container && !list.Contains(e.NetworkId)) list.Add(e.NetworkId);
        return list;
    }

    private static uint? ReverseAddress(string name)
    {
        const string suffix = ".in-addr.arpa";
        if (!name.EndsWith(suffix, StringComparison.Ordinal)) return null;
        var parts = name[..^suffix.Length].Split('.');
        if (parts.Length != 4) return null;
        uint a = 0;
        for (int i = 3; i >= 0; i--)
        {
            if (!byte.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var b)) return null;
            a = a << 8 | b;
        }
        return a;
    }
}
