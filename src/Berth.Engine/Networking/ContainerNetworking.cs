using System.Text.RegularExpressions;
using Berth.Engine.Containers;
using Berth.Engine.Networking.Ipam;
using Berth.Engine.Networking.Nat;
using Berth.Engine.Networking.Netlink;
using Berth.Engine.Networking.Ports;

namespace Berth.Engine.Networking;

/// <summary>
/// Containers on bridge networks. At create: the network options are checked and an endpoint recorded
/// per network. At start (the container's PID known, nothing running in it yet): per endpoint an address,
/// a veth pair whose peer is born in the container's namespace as ethN, its address and default route
/// (netlink, no `ip` processes); the published ports are reserved and added to nftables; /etc/hosts and
/// /etc/resolv.conf are written in place. At exit everything is taken back. A failed start leaves nothing.
/// </summary>
public sealed partial class ContainerNetworking(ContainerService containers, NetworkService networks) : IContainerNetwork
{
    private NetworkStore Store => networks.Store;

    [GeneratedRegex("^(?=.{1,253}$)[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?(\\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*$")]
    private static partial Regex AliasPattern();

    /// <summary>The network a --network value names (bridge/default = the default bridge); null for none and host.</summary>
    public Network? NetworkFor(string mode)
    {
        if (mode is "none" or "host") return null;
        if (mode.StartsWith("container:", StringComparison.Ordinal))
            throw new BerthException($"--network {mode} is not supported: berth joins bridge networks, host or none");
        return Store.Require(mode is "default" ? Network.DefaultBridge : mode);
    }

    public void Register(Container container, CreateOptions options)
    {
        var network = NetworkFor(options.NetworkMode);
        if (network is null || !network.IsBridge)
        {
            if (options.NetworkAliases.Count > 0) throw new BerthException("network-scoped aliases are only supported for user-defined networks");
            if (options.Ip is not null) throw new BerthException("user specified IP address is supported on user defined networks only");
            if (options.MoreNetworks.Count > 0) throw new BerthException($"network mode {options.NetworkMode} cannot be combined with other networks");
            return;
        }
        Join(container.Id, network, options.NetworkAliases, options.Ip, position: 0);
        for (int i = 0; i < options.MoreNetworks.Count; i++)
        {
            var more = Store.Require(options.MoreNetworks[i].Network);
            if (!more.IsBridge) throw new BerthException($"network {more.Name} cannot be combined with other networks");
            Join(container.Id, more, options.MoreNetworks[i].Aliases, null, position: i + 1);
        }
    }

    /// <summary>Records <paramref name="containerId"/> on <paramref name="network"/> (checked aliases and address).</summary>
    public Endpoint Join(string containerId, Network network, IReadOnlyList<string> aliases, string? ip, int position)
    {
        if (network.IsDefaultBridge && aliases.Count > 0)
            throw new BerthException("network-scoped aliases are only supported for user-defined networks");
        if (network.IsDefaultBridge && ip is not null)
            throw new BerthException("user specified IP address is supported on user defined networks only");
        foreach (var a in aliases)
            if (!AliasPattern().IsMatch(a)) throw new BerthException($"invalid network alias \"{a}\": use letters, digits, '-', '_' and dots, as in a DNS name");
        if (ip is not null)
        {
            if (!Ipv4.TryParse(ip, out var address)) throw new BerthException($"invalid IPv4 address: {ip}");
            var subnet = network.SubnetValue;
            if (!subnet.Contains(address) || address == subnet.Network || address == subnet.Broadcast || address == network.GatewayValue)
                throw new BerthException($"invalid address {ip}: not a free host address of network {network.Name} ({network.Subnet}, gateway {network.Gateway})");
        }
        var endpoint = new Endpoint { ContainerId = containerId, NetworkId = network.Id, Position = position, Aliases = [.. aliases], StaticIp = ip ?? "" };
        Store.InsertEndpoint(endpoint);
        return endpoint;
    }

    public void Attach(Container c, int pid)
    {
        var endpoints = Store.Endpoints(c.Id);
        if (endpoints.Count == 0)
        {
            NetworkFor(c.Spec.NetworkMode); // a network removed since create: "network X not found"
            return;
        }
        var attached = new List<(Endpoint Endpoint, Network Network)>();
        try
        {
            using (var host = NetlinkSocket.Open())
            {
                NetlinkSocket? inside = null;
                try
                {
                    var routed = endpoints.Select(e => Store.Get(e.NetworkId)).FirstOrDefault(n => n is { Internal: false })?.Id;
                    foreach (var e in endpoints)
                    {
                        var n = networks.EnsureUp(Store.Get(e.NetworkId) ?? throw new NotFoundException($"network {e.NetworkId} not found"));
                        attached.Add((Plug(host, ref inside, c.Id, e, n, pid, defaultRoute: n.Id == routed), n));
                    }
                }
                finally { inside?.Dispose(); }
            }
            Runtime.Phases.Mark("network: endpoints plugged");
            var (primary, primaryNetwork) = attached[0];
            if (!primaryNetwork.Internal) Publish(c, primary);
            Runtime.Phases.Mark("network: published");
            WriteEtcFiles(c, attached);
            Runtime.Phases.Mark("network: etc files written");
            if (attached.Any(a => a.Network.HasDns)) networks.Dns.Ensure(reload: false);
        }
        catch (BerthException) when (!Runtime.Interop.ChildProcess.IsAlive(pid, Runtime.Interop.ChildProcess.StartTime(pid)))
        {
            // An external runtime (crun run) starts the payload before we see its pid; one that has
            // exited already needs no network.
            Detach(c);
            return;
        }
        catch
        {
            Detach(c);
            throw;
        }
        foreach (var (e, n) in attached)
            networks.Events.Append("network", "connect", n.Id, [new("container", c.Id), new("name", n.Name), new("type", "bridge")]);
        Runtime.Phases.Mark("network: attached");
    }

    /// <summary>network connect: records the container on one more network and, when it runs, plugs it in now.</summary>
    public void Connect(Container c, Network n, IReadOnlyList<string> aliases, string? ip)
    {
        if (c.Spec.NetworkMode is "host" or "none")
            throw new BerthException($"container {c.Name} uses --network {c.Spec.NetworkMode} and cannot be connected to other networks");
        if (!n.IsBridge) throw new BerthException($"container cannot be connected to the {n.Name} network");
        var existing = Store.Endpoints(c.Id);
        if (existing.Any(e => e.NetworkId == n.Id)) throw new BerthException($"endpoint with name {c.Name} already exists in network {n.Name}");
        int position = existing.Count == 0 ? 0 : existing.Max(e => e.Position) + 1;
        if (position > 15) throw new BerthException($"container {c.Name} is on too many networks (16 at most)");
        if (n.Subnet.Length == 0 && ip is not null) n = networks.EnsureUp(n);
        var endpoint = Join(c.Id, n, aliases, ip, position);
        if (c.State != ContainerState.Running || c.Pid <= 0) return;
        try { AttachRunning(c, endpoint, n); }
        catch
        {
            Store.DeleteEndpoint(c.Id, n.Id);
            throw;
        }
    }

    /// <summary>Plugs a running container into one more network.</summary>
    private void AttachRunning(Container c, Endpoint e, Network n)
    {
        n = networks.EnsureUp(n);
        using var host = NetlinkSocket.Open();
        NetlinkSocket? inside = null;
        try { Plug(host, ref inside, c.Id, e, n, c.Pid, defaultRoute: false); }
        catch
        {
            Unplug(host, Store.Endpoints(c.Id).First(x => x.NetworkId == e.NetworkId));
            throw;
        }
        finally { inside?.Dispose(); }
        if (n.HasDns) networks.Dns.Ensure(reload: false);
        networks.Events.Append("network", "connect", n.Id, [new("container", c.Id), new("name", n.Name), new("type", "bridge")]);
    }

    /// <summary>An address for the endpoint (recorded in one transaction), the veth pair, and the container side's address and route.</summary>
    private Endpoint Plug(NetlinkSocket host, ref NetlinkSocket? inside, string containerId, Endpoint e, Network n, int pid, bool defaultRoute)
    {
        var subnet = n.SubnetValue;
        uint gateway = n.GatewayValue;
        string hostIf = Veth.HostName(containerId, e.Position);
        Endpoint active = e;
        Store.Db.InTransaction(() =>
        {
            var taken = Store.TakenAddresses(n.Id, containerId);
            uint ip = e.StaticIp.Length > 0 ? AddressAllocator.Requested(e.StaticIp, subnet, gateway, taken, n.Name) : AddressAllocator.Next(subnet, gateway, taken);
            active = e with
            {
                Ip = Ipv4.Format(ip), Mac = Ipv4.FormatMac(Ipv4.MacFor(ip)), HostInterface = hostIf,
                EndpointId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            };
            Store.Activate(active);
        });
        Runtime.Phases.Mark("network: address recorded");
        Veth.Plug(host, ref inside, n, hostIf, e.ContainerInterface, pid, Ipv4.Parse(active.Ip), defaultRoute);
        return active;
    }

    /// <summary>Reserves the host ports (held by this process while the container runs) and adds them to nftables.</summary>
    private void Publish(Container c, Endpoint primary)
    {
        var bindings = PublishedBindings(c.Spec);
        if (bindings.Count == 0) return;
        var mappings = PortReservations.Reserve(c.Id, primary.Ip, bindings);
        using (HostNetwork.Lock())
        {
            Store.Db.InTransaction(() => { foreach (var m in mappings) Store.InsertPort(m); });
            try { Nft.Apply(NftRuleset.AddPorts(networks.Table, mappings), "cannot publish the container's ports"); }
            catch (NftException)
            {
                // A mapping of a container that died without its monitor holds the key: clean those, then retry.
                if (!ClearStalePorts(c.Id)) throw;
                Nft.Apply(NftRuleset.AddPorts(networks.Table, mappings), "cannot publish the container's ports");
            }
        }
        Runtime.Phases.Mark("network: ports published");
    }

    /// <summary>-p bindings, then (with -P) a random host port for every exposed port not published yet.</summary>
    public static List<PortBinding> PublishedBindings(ContainerSpec spec)
    {
        var list = new List<PortBinding>(spec.Ports);
        if (spec.PublishAll)
            foreach (var exposed in spec.ExposedPorts)
            {
                var b = PortBinding.Exposed(exposed);
                if (!list.Any(x => x.Key == b.Key)) list.Add(b);
            }
        return list;
    }

    private bool ClearStalePorts(string exceptContainer)
    {
        bool cleared = false;
        foreach (var holder in Store.AllPorts().Select(p => p.ContainerId).Where(id => id != exceptContainer).Distinct().ToList())
        {
            if (containers.Find(holder) is { Running: true }) continue; // looking it up reconciles a dead monitor
            var stale = Store.Ports(holder);
            if (stale.Count == 0) continue;
            Nft.TryApply(NftRuleset.RemovePorts(networks.Table, stale));
            Store.DeletePorts(holder);
            cleared = true;
        }
        return cleared;
    }

    private void WriteEtcFiles(Container c, List<(Endpoint Endpoint, Network Network)> attached)
    {
        var paths = containers.Paths(c.Id);
        // In place: the files are already bind-mounted into the container, a rename would not be seen.
        File.WriteAllText(paths.Hosts, ResolvConf.Hosts(attached[0].Endpoint.Ip, c.Spec.Hostname, c.Spec.ExtraHosts, attached[0].Network.Gateway));
        var dns = attached.FirstOrDefault(a => a.Network.HasDns).Network;
        File.WriteAllText(paths.ResolvConf, ResolvConf.For(dns?.Gateway, c.Spec.Dns, c.Spec.DnsSearch, c.Spec.DnsOptions));
    }

    public void Detach(Container c)
    {
        PortReservations.Release(c.Id);
        var ports = Store.Ports(c.Id);
        if (ports.Count > 0)
        {
            using (HostNetwork.Lock())
            {
                if (Nft.Available) Nft.TryApply(NftRuleset.RemovePorts(networks.Table, ports));
                Store.DeletePorts(c.Id);
            }
        }
        var active = Store.Endpoints(c.Id).Where(e => e.Active).ToList();
        if (active.Count == 0) return;
        // The container has exited: its namespace goes, and the kernel deletes each veth pair with it
        // (deleting them here would wait out an RCU grace period per pair, ~20 ms).
        foreach (var e in active) Store.Deactivate(e.ContainerId, e.NetworkId);
        foreach (var e in active)
            if (Store.Get(e.NetworkId) is { } n)
                networks.Events.Append("network", "disconnect", n.Id, [new("container", c.Id), new("name", n.Name), new("type", "bridge")]);
    }

    private void Unplug(NetlinkSocket host, Endpoint e)
    {
        if (e.HostInterface.Length > 0) Links.Delete(host, e.HostInterface);
        Store.Deactivate(e.ContainerId, e.NetworkId);
    }

    /// <summary>Takes a container off one network (network disconnect); a running one loses the interface now.</summary>
    public void Leave(Container c, Network n)
    {
        var e = Store.Endpoints(c.Id).FirstOrDefault(x => x.NetworkId == n.Id)
            ?? throw new BerthException($"container {c.Name} is not connected to network {n.Name}");
        if (e.Active)
        {
            using var host = NetlinkSocket.Open();
            Unplug(host, e);
            networks.Events.Append("network", "disconnect", n.Id, [new("container", c.Id), new("name", n.Name), new("type", "bridge")]);
        }
        Store.DeleteEndpoint(c.Id, n.Id);
    }
}
