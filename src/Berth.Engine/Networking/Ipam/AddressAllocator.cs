namespace Berth.Engine.Networking.Ipam;

/// <summary>Picks a container address in a subnet: the lowest one that is not the network, broadcast,
/// gateway or already taken.</summary>
public static class AddressAllocator
{
    public static uint Next(Ipv4Subnet subnet, uint gateway, IReadOnlySet<uint> taken)
    {
        uint first = subnet.Network + 1, last = subnet.Broadcast - 1;
        for (uint a = first; a <= last && a >= first; a++)
            if (a != gateway && !taken.Contains(a)) return a;
        throw new BerthException($"no available IPv4 addresses on network {subnet}", BerthException.EngineError);
    }

    /// <summary>Checks a requested address (--ip): inside the subnet, not reserved, not taken.</summary>
    public static uint Requested(string text, Ipv4Subnet subnet, uint gateway, IReadOnlySet<uint> taken, string network)
    {
        if (!Ipv4.TryParse(text, out var a)) throw new BerthException($"invalid IPv4 address: {text}");
        if (!subnet.Contains(a) || a == subnet.Network || a == subnet.Broadcast)
            throw new BerthException($"invalid address {text}: it is not a host address of network {network} ({subnet})");
        if (a == gateway || taken.Contains(a)) throw new BerthException($"Address already in use: {text} on network {network}");
        return a;
    }
}
