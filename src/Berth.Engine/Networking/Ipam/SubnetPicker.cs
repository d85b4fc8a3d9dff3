namespace Berth.Engine.Networking.Ipam;

/// <summary>
/// Chooses a subnet for a network that was not given one: docker's default pools (172.17-31.0.0/16, then
/// 192.168.0.0/16 cut into /20s), skipping any that overlaps a route of the host or another network.
/// </summary>
public static class SubnetPicker
{
    public static IEnumerable<Ipv4Subnet> Pools()
    {
        for (uint b = 17; b <= 31; b++) yield return new Ipv4Subnet(172u << 24 | b << 16, 16);
        for (uint c = 0; c < 256; c += 16) yield return new Ipv4Subnet(192u << 24 | 168u << 16 | c << 8, 20);
    }

    public static Ipv4Subnet Pick(IEnumerable<Ipv4Subnet> taken)
    {
        var used = taken.ToList();
        foreach (var candidate in Pools())
            if (!used.Any(u => u.Overlaps(candidate))) return candidate;
        throw new BerthException("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network: give one with --subnet");
    }

    /// <summary>The subnet of <paramref name="candidate"/>'s first conflict, or null.</summary>
    public static Ipv4Subnet? FirstOverlap(Ipv4Subnet candidate, IEnumerable<Ipv4Subnet> taken) =>
        taken.Where(t => t.Overlaps(candidate)).Select(t => (Ipv4Subnet?)t).FirstOrDefault();
}
