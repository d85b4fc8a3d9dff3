using System.Globalization;
using Berth.Engine.Networking.Netlink;
using Berth.Engine.Util;

namespace Berth.Engine.Networking;

/// <summary>
/// What is shared by every state root on this host: the lock around bridge and subnet changes (two roots
/// must not pick one subnet), sysctls, and the labels (ifalias) that say which root and network own a
/// bridge, so bridges of removed roots are found and deleted.
/// </summary>
internal static class HostNetwork
{
    public const string LockPath = "/run/berth-network.lock";
    private const string AliasPrefix = "berth-network ";

    public static FileLock Lock() => FileLock.Exclusive(LockPath);

    public static bool LinkExists(string name) => name.Length > 0 && Directory.Exists("/sys/class/net/" + name);

    public static string Alias(string rootPath, string networkId) => AliasPrefix + networkId + " " + rootPath;

    /// <summary>The (network ID, state root) a berth bridge's label names, or null for other links.</summary>
    public static (string NetworkId, string Root)? ParseAlias(string alias)
    {
        if (!alias.StartsWith(AliasPrefix, StringComparison.Ordinal)) return null;
        var rest = alias[AliasPrefix.Length..];
        int sp = rest.IndexOf(' ');
        return sp > 0 ? (rest[..sp], rest[(sp + 1)..]) : null;
    }

    public static void EnableForwarding() => WriteSysctl("/proc/sys/net/ipv4/ip_forward", "1");

    /// <summary>Lets DNAT'd traffic from 127.0.0.1 leave through the bridge (then masqueraded).</summary>
    public static void AllowLocalnet(string bridge) => WriteSysctl($"/proc/sys/net/ipv4/conf/{bridge}/route_localnet", "1");

    /// <summary>A container may reach its own published port through the host (the bridge sends the frame back).</summary>
    public static void Hairpin(string hostInterface) => WriteSysctl($"/sys/class/net/{hostInterface}/brport/hairpin_mode", "1");

    private static void WriteSysctl(string path, string value)
    {
        try
        {
            if (File.Exists(path) && File.ReadAllText(path).Trim() == value) return;
            File.WriteAllText(path, value);
        }
        catch (IOException e)
        {
            throw new BerthException($"cannot set {path} to {value}: {e.Message}", BerthException.EngineError);
        }
        catch (UnauthorizedAccessException)
        {
            throw new BerthException($"cannot set {path} to {value}: berth's networking needs root", BerthException.EngineError);
        }
    }

    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Deletes the bridges (and nft tables) of state roots that no longer exist.</summary>
    public static void SweepOrphans(NetlinkSocket s, string ourRoot, IReadOnlySet<string> ourNetworks)
    {
        foreach (var link in Links.List(s))
        {
            if (link.Kind != "bridge" || ParseAlias(link.Alias) is not { } owner) continue;
            bool orphan = owner.Root == ourRoot
                ? !ourNetworks.Contains(owner.NetworkId)
                : !File.Exists(Path.Combine(owner.Root, "berth.db"));
            if (!orphan) continue;
            Links.Delete(s, link.Name);
            if (owner.Root != ourRoot && Nat.Nft.Available) Nat.Nft.TryApply(Nat.NftRuleset.DeleteTable(Nat.NftRuleset.TableName(owner.Root)));
        }
    }
}
