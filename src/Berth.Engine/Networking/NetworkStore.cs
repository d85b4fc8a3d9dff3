using System.Globalization;
using System.Text.Json;
using Berth.Engine.Metadata;
using Microsoft.Data.Sqlite;

namespace Berth.Engine.Networking;

/// <summary>Network, endpoint and published-port records; each change is one statement or runs inside
/// the caller's transaction.</summary>
public sealed class NetworkStore(MetadataDb db)
{
    private const string NetworkColumns = "id, name, driver, subnet, gateway, bridge, internal, labels, created";
    private const string EndpointColumns = "container_id, network_id, position, aliases, static_ip, ip, mac, host_if, endpoint_id";

    public MetadataDb Db => db;

    public IReadOnlyList<Network> List() => db.Query($"SELECT {NetworkColumns} FROM networks ORDER BY created, name", MapNetwork);

    public Network? Get(string id) => db.Query($"SELECT {NetworkColumns} FROM networks WHERE id=$id", MapNetwork, ("$id", id)).FirstOrDefault();

    /// <summary>docker's lookup: full ID, exact name, then a unique ID prefix.</summary>
    public Network? Find(string idOrName)
    {
        if (idOrName.Length == 0) return null;
        var exact = db.Query($"SELECT {NetworkColumns} FROM networks WHERE id=$v OR name=$v ORDER BY id=$v DESC", MapNetwork, ("$v", idOrName)).FirstOrDefault();
        if (exact is not null || !idOrName.All(char.IsAsciiHexDigitLower)) return exact;
        var matches = db.Query($"SELECT {NetworkColumns} FROM networks WHERE id >= $lo AND id < $hi LIMIT 2", MapNetwork, ("$lo", idOrName), ("$hi", idOrName + "~"));
        if (matches.Count > 1) throw new BerthException($"network {idOrName} is ambiguous ({matches.Count} matches found based on ID prefix)");
        return matches.FirstOrDefault();
    }

    /// <summary>The network named <paramref name="idOrName"/>; "network x not found" otherwise.</summary>
    public Network Require(string idOrName) =>
        Find(idOrName) ?? throw new NotFoundException($"network {idOrName} not found");

    public void Insert(Network n)
    {
        try
        {
            db.Execute($"INSERT INTO networks({NetworkColumns}) VALUES($id, $name, $driver, $subnet, $gw, $br, $int, $labels, $created)",
                ("$id", n.Id), ("$name", n.Name), ("$driver", n.Driver), ("$subnet", n.Subnet), ("$gw", n.Gateway), ("$br", n.Bridge),
                ("$int", n.Internal ? 1 : 0), ("$labels", JsonSerializer.Serialize(n.Labels, NetworkJson.Default.DictionaryStringString)), ("$created", Time(n.Created)));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new BerthException($"network with name {n.Name} already exists", BerthException.UserError);
        }
    }

    /// <summary>Records the subnet, gateway and bridge name chosen for a network on first use.</summary>
    public void SetAddressing(string id, string subnet, string gateway, string bridge) =>
        db.Execute("UPDATE networks SET subnet=$s, gateway=$g, bridge=$b WHERE id=$id", ("$id", id), ("$s", subnet), ("$g", gateway), ("$b", bridge));

    public void Delete(string id) => db.Execute("DELETE FROM networks WHERE id=$id", ("$id", id));

    public IReadOnlyList<Endpoint> Endpoints(string containerId) =>
        db.Query($"SELECT {EndpointColumns} FROM endpoints WHERE container_id=$c ORDER BY position", MapEndpoint, ("$c", containerId));

    public IReadOnlyList<Endpoint> EndpointsOn(string networkId) =>
        db.Query($"SELECT {EndpointColumns} FROM endpoints WHERE network_id=$n ORDER BY position", MapEndpoint, ("$n", networkId));

    public IReadOnlyList<Endpoint> ActiveEndpoints() =>
        db.Query($"SELECT {EndpointColumns} FROM endpoints WHERE ip != ''", MapEndpoint);

    public void InsertEndpoint(Endpoint e) =>
        db.Execute($"INSERT INTO endpoints({EndpointColumns}) VALUES($c, $n, $p, $a, $s, '', '', '', '')",
            ("$c", e.ContainerId), ("$n", e.NetworkId), ("$p", e.Position), ("$a", Aliases(e.Aliases)), ("$s", e.StaticIp));

    public void DeleteEndpoint(string containerId, string networkId) =>
        db.Execute("DELETE FROM endpoints WHERE container_id=$c AND network_id=$n", ("$c", containerId), ("$n", networkId));

    public void Activate(Endpoint e) =>
        db.Execute("UPDATE endpoints SET ip=$ip, mac=$mac, host_if=$hif, endpoint_id=$eid WHERE container_id=$c AND network_id=$n",
            ("$c", e.ContainerId), ("$n", e.NetworkId), ("$ip", e.Ip), ("$mac", e.Mac), ("$hif", e.HostInterface), ("$eid", e.EndpointId));

    public void Deactivate(string containerId, string networkId) =>
        db.Execute("UPDATE endpoints SET ip='', mac='', host_if='', endpoint_id='' WHERE container_id=$c AND network_id=$n",
            ("$c", containerId), ("$n", networkId));

    /// <summary>Addresses in use on a network (active endpoints, leases, and the fixed addresses others asked for).</summary>
    public HashSet<uint> TakenAddresses(string networkId, string exceptContainer)
    {
        var set = new HashSet<uint>();
        foreach (var (ip, fixedIp) in db.Query("SELECT ip, static_ip FROM endpoints WHERE network_id=$n AND container_id != $c UNION ALL SELECT ip, '' FROM leases WHERE network_id=$n",
                     r => (r.GetString(0), r.GetString(1)), ("$n", networkId), ("$c", exceptContainer)))
        {
            if (Ipam.Ipv4.TryParse(ip, out var a)) set.Add(a);
            if (Ipam.Ipv4.TryParse(fixedIp, out var f)) set.Add(f);
        }
        return set;
    }

    public void InsertLease(string id, string networkId, string ip, int ownerPid, long ownerStart) =>
        db.Execute("INSERT INTO leases(id, network_id, ip, owner_pid, owner_start) VALUES($id, $n, $ip, $p, $s)",
            ("$id", id), ("$n", networkId), ("$ip", ip), ("$p", ownerPid), ("$s", ownerStart));

    public void DeleteLease(string id) => db.Execute("DELETE FROM leases WHERE id=$id", ("$id", id));

    /// <summary>Leases on a network whose owner process is alive; the others (a build that crashed) are deleted.</summary>
    public int LiveLeases(string networkId)
    {
        var all = db.Query("SELECT id, owner_pid, owner_start FROM leases WHERE network_id=$n", r => (Id: r.GetString(0), Pid: r.GetInt32(1), Start: r.GetInt64(2)), ("$n", networkId));
        int live = 0;
        foreach (var l in all)
        {
            if (Runtime.Interop.ChildProcess.IsAlive(l.Pid, l.Start)) live++;
            else DeleteLease(l.Id);
        }
        return live;
    }

    public IReadOnlyList<PortMapping> Ports(string containerId) =>
        db.Query("SELECT container_id, protocol, host_ip, host_port, container_port, container_ip FROM published_ports WHERE container_id=$c ORDER BY container_port, protocol",
            MapPort, ("$c", containerId));

    public IReadOnlyList<PortMapping> AllPorts() =>
        db.Query("SELECT container_id, protocol, host_ip, host_port, container_port, container_ip FROM published_ports", MapPort);

    public void InsertPort(PortMapping p) =>
        db.Execute("INSERT INTO published_ports(container_id, protocol, host_ip, host_port, container_port, container_ip) VALUES($c, $p, $hi, $hp, $cp, $ci)",
            ("$c", p.ContainerId), ("$p", p.Protocol), ("$hi", p.HostIp), ("$hp", p.HostPort), ("$cp", p.ContainerPort), ("$ci", p.ContainerIp));

    public void DeletePorts(string containerId) => db.Execute("DELETE FROM published_ports WHERE container_id=$c", ("$c", containerId));

    /// <summary>Every running container's address on a user-defined network, with its names (what the
    /// embedded DNS server answers from).</summary>
    public IReadOnlyList<Dns.DnsEntry> DnsEntries() =>
        db.Query("""
            SELECT e.network_id, e.container_id, c.name, e.aliases, e.ip FROM endpoints e
            JOIN containers c ON c.id = e.container_id JOIN networks n ON n.id = e.network_id
            WHERE e.ip != '' AND n.driver = 'bridge' AND n.name != 'bridge'
            """,
            r => new Dns.DnsEntry(r.GetString(0), r.GetString(1), r.GetString(2),
                JsonSerializer.Deserialize(r.GetString(3), NetworkJson.Default.ListString) ?? [], Ipam.Ipv4.Parse(r.GetString(4))));

    /// <summary>Name and state of a container (the networking side reads no more of the containers domain).</summary>
    public (string Name, string State)? ContainerSummary(string containerId) =>
        db.Query("SELECT name, state FROM containers WHERE id=$c", r => (r.GetString(0), r.GetString(1)), ("$c", containerId)) is [var one] ? one : null;

    private static Network MapNetwork(SqlReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        Driver = r.GetString(2),
        Subnet = r.GetString(3),
        Gateway = r.GetString(4),
        Bridge = r.GetString(5),
        Internal = r.GetInt32(6) != 0,
        Labels = JsonSerializer.Deserialize(r.GetString(7), NetworkJson.Default.DictionaryStringString) ?? [],
        Created = DateTimeOffset.Parse(r.GetString(8), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
    };

    private static Endpoint MapEndpoint(SqlReader r) => new()
    {
        ContainerId = r.GetString(0),
        NetworkId = r.GetString(1),
        Position = r.GetInt32(2),
        Aliases = JsonSerializer.Deserialize(r.GetString(3), NetworkJson.Default.ListString) ?? [],
        StaticIp = r.GetString(4),
        Ip = r.GetString(5),
        Mac = r.GetString(6),
        HostInterface = r.GetString(7),
        EndpointId = r.GetString(8),
    };

    private static PortMapping MapPort(SqlReader r) => new()
    {
        ContainerId = r.GetString(0),
        Protocol = r.GetString(1),
        HostIp = r.GetString(2),
        HostPort = r.GetInt32(3),
        ContainerPort = r.GetInt32(4),
        ContainerIp = r.GetString(5),
    };

    private static string Aliases(List<string> aliases) => JsonSerializer.Serialize(aliases, NetworkJson.Default.ListString);

    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
