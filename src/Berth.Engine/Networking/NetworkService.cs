using System.Text.RegularExpressions;
using Berth.Engine.Events;
using Berth.Engine.Networking.Dns;
using Berth.Engine.Networking.Ipam;
using Berth.Engine.Networking.Nat;
using Berth.Engine.Networking.Netlink;

namespace Berth.Engine.Networking;

/// <summary>What <c>network create</c> asks for.</summary>
public sealed record NetworkCreateOptions
{
    public required string Name { get; init; }
    public string Driver { get; init; } = "bridge";
    public string? Subnet { get; init; }
    public string? Gateway { get; init; }
    public bool Internal { get; init; }
    public Dictionary<string, string> Labels { get; init; } = [];
}

/// <summary>
/// The networks of one state root: create, remove, prune, and bringing a network's bridge, NAT rules and
/// DNS server up when it is first needed (after a reboot too). A network is its database record plus a
/// Linux bridge labelled with its root and ID, an entry in the root's nftables table, and (user-defined
/// networks) the DNS server listening on its gateway. Changes to bridges and subnets hold a host-wide lock.
/// </summary>
public sealed partial class NetworkService
{
    private readonly StateRoot _root;

    public NetworkService(StateRoot root, EventLog events)
    {
        _root = root;
        Events = events;
        Store = new NetworkStore(root.Db);
    }

    public NetworkStore Store { get; }
    public EventLog Events { get; }

    /// <summary>How the DNS server is started: berth itself in its hidden mode (the CLI sets this).</summary>
    public (string Executable, IReadOnlyList<string> Args)? DnsCommand { get; set; }

    internal string Table => NftRuleset.TableName(_root.Path);

    internal DnsProcess Dns => new(_root.Path, DnsCommand);

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex NamePattern();

    public Network Resolve(string idOrName) => Store.Require(idOrName);

    public Network Create(NetworkCreateOptions o)
    {
        if (!NamePattern().IsMatch(o.Name))
            throw new BerthException($"invalid network name \"{o.Name}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        if (o.Name is Network.DefaultBridge or Network.Host or Network.None)
            throw new BerthException($"{o.Name} is a pre-defined network and cannot be created");
        if (o.Driver != "bridge") throw new BerthException($"network driver {o.Driver} is not supported: berth has bridge networks");
        if (o.Gateway is not null && o.Subnet is null) throw new BerthException("--gateway needs --subnet");
        if (Store.Find(o.Name) is { } existing && existing.Name == o.Name)
            throw new BerthException($"network with name {o.Name} already exists");

        Network network;
        using (HostNetwork.Lock())
        using (var s = NetlinkSocket.Open())
        {
            var subnet = ChooseSubnet(s, o.Subnet, null);
            uint gateway = o.Gateway is null ? subnet.FirstHost : Ipv4.TryParse(o.Gateway, out var g) && subnet.Contains(g) && g != subnet.Network && g != subnet.Broadcast
                ? g : throw new BerthException($"invalid gateway {o.Gateway}: it must be a host address of {subnet}");
            var id = NewId();
            network = new Network
            {
                Id = id, Name = o.Name, Driver = "bridge", Subnet = subnet.ToString(), Gateway = Ipv4.Format(gateway),
                Bridge = NftRuleset.BridgePrefix + "-" + id[..9], Internal = o.Internal, Labels = o.Labels, Created = DateTimeOffset.UtcNow,
            };
            Store.Insert(network);
            try
            {
                HostNetwork.SweepOrphans(s, _root.Path, Store.List().Select(n => n.Id).ToHashSet());
                BringUp(s, network);
            }
            catch
            {
                Links.Delete(s, network.Bridge);
                Store.Delete(network.Id);
                try { ApplyRules(); } catch (BerthException) { }
                throw;
            }
        }
        Dns.Ensure(reload: true);
        Events.Append("network", "create", network.Id, [new("name", network.Name), new("type", "bridge")]);
        return network;
    }

    /// <summary>The subnet asked for (checked against the host's routes and this root's networks) or a free default pool.</summary>
    private Ipv4Subnet ChooseSubnet(NetlinkSocket s, string? requested, string? self)
    {
        var ours = Store.List().Where(n => n.Id != self && n.Subnet.Length > 0).Select(n => (n.Name, Subnet: n.SubnetValue)).ToList();
        var routes = Links.RoutedPrefixes(s);
        if (requested is null) return SubnetPicker.Pick(routes.Concat(ours.Select(o => o.Subnet)));
        var subnet = Ipv4Subnet.Parse(requested);
        if (ours.FirstOrDefault(o => o.Subnet.Overlaps(subnet)) is { Name: not null } clash)
            throw new BerthException($"invalid pool request: Pool overlaps with other one on this address space: {subnet} overlaps network {clash.Name} ({clash.Subnet})");
        if (SubnetPicker.FirstOverlap(subnet, routes) is { } route)
            throw new BerthException($"invalid pool request: Pool overlaps with other one on this address space: {subnet} overlaps the host route {route}");
        return subnet;
    }

    /// <summary>
    /// Makes sure a bridge network exists on the host: its subnet (the default bridge chooses one on first
    /// use), nftables rules, bridge with the gateway address. Cheap when it is up (one stat).
    /// </summary>
    public Network EnsureUp(Network n)
    {
        if (!n.IsBridge) return n;
        if (n.Subnet.Length > 0 && HostNetwork.LinkExists(n.Bridge)) return n;
        using (HostNetwork.Lock())
        using (var s = NetlinkSocket.Open())
        {
            n = Store.Get(n.Id) ?? throw new NotFoundException($"network {n.Name} not found");
            if (n.Subnet.Length == 0)
            {
                var subnet = ChooseSubnet(s, null, n.Id);
                var bridge = n.IsDefaultBridge && Path.GetFullPath(_root.Path).TrimEnd('/') == StateRoot.DefaultPath ? "berth0" : NftRuleset.BridgePrefix + "-" + n.Id[..9];
                Store.SetAddressing(n.Id, subnet.ToString(), Ipv4.Format(subnet.FirstHost), bridge);
                n = n with { Subnet = subnet.ToString(), Gateway = Ipv4.Format(subnet.FirstHost), Bridge = bridge };
                HostNetwork.SweepOrphans(s, _root.Path, Store.List().Select(x => x.Id).ToHashSet());
            }
            if (!HostNetwork.LinkExists(n.Bridge))
            {
                try { BringUp(s, n); }
                catch
                {
                    Links.Delete(s, n.Bridge);
                    throw;
                }
            }
        }
        if (n.HasDns) Dns.Ensure(reload: true);
        return n;
    }

    private void BringUp(NetlinkSocket s, Network n)
    {
        HostNetwork.EnableForwarding();
        ApplyRules();
        Links.CreateBridge(s, n.Bridge, HostNetwork.Alias(_root.Path, n.Id));
        int index = Links.IndexOf(s, n.Bridge) ?? throw new BerthException($"bridge {n.Bridge} vanished", BerthException.EngineError);
        s.Run(Links.AddAddress(index, n.GatewayValue, n.SubnetValue.PrefixLength, $"add {n.Gateway} to {n.Bridge}"));
        HostNetwork.AllowLocalnet(n.Bridge);
    }

    /// <summary>Writes the root's whole nftables table from the database (networks whose bridge exists or is
    /// being made, and every published port).</summary>
    internal void ApplyRules()
    {
        var networks = Store.List().Where(n => n.IsBridge && n.Subnet.Length > 0).ToList();
        Nft.Apply(NftRuleset.Render(Table, networks, Store.AllPorts()), "cannot set up berth's nftables rules");
    }

    /// <summary>docker network rm: refused for predefined networks and networks with running containers.</summary>
    public void Remove(Network n)
    {
        if (n.Predefined) throw new BerthException($"{n.Name} is a pre-defined network and cannot be removed", BerthException.UserError);
        var active = Store.EndpointsOn(n.Id).Where(e => e.Active).ToList();
        if (active.Count > 0)
        {
            var names = active.Select(e => Store.ContainerSummary(e.ContainerId)?.Name ?? e.ContainerId[..12]);
            throw new BerthException($"error while removing network: network {n.Name} id {n.Id} has active endpoints ({string.Join(", ", names)}): stop them or disconnect them first");
        }
        TearDown(n, deleteRecord: true);
        Events.Append("network", "destroy", n.Id, [new("name", n.Name), new("type", "bridge")]);
    }

    private void TearDown(Network n, bool deleteRecord)
    {
        using (HostNetwork.Lock())
        {
            if (deleteRecord) Store.Delete(n.Id);
            using (var s = NetlinkSocket.Open()) Links.Delete(s, n.Bridge);
            if (Nft.Available) ApplyRules();
        }
        if (n.HasDns) Dns.Reload();
    }

    /// <summary>docker network prune: removes user-defined networks no running container uses (with
    /// <paramref name="filter"/>), and takes down the default bridge's interface when nothing uses it (it
    /// comes back with the next container). Returns the names removed.</summary>
    public IReadOnlyList<string> Prune(Func<Network, bool>? filter = null)
    {
        var removed = new List<string>();
        foreach (var n in Store.List().Where(n => n.IsBridge))
        {
            if (Store.EndpointsOn(n.Id).Any(e => e.Active) || Store.LiveLeases(n.Id) > 0) continue;
            if (n.IsDefaultBridge)
            {
                if (HostNetwork.LinkExists(n.Bridge)) TearDown(n, deleteRecord: false);
                continue;
            }
            if (!(filter?.Invoke(n) ?? true)) continue;
            TearDown(n, deleteRecord: true);
            Events.Append("network", "destroy", n.Id, [new("name", n.Name), new("type", "bridge")]);
            removed.Add(n.Name);
        }
        if (Store.List().All(n => !n.IsBridge || !HostNetwork.LinkExists(n.Bridge)) && Nft.Available)
            Nft.TryApply(NftRuleset.DeleteTable(Table));
        return removed;
    }

    private static string NewId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
