using Berth.Engine.Events;
using Berth.Engine.Networking.Ipam;
using Berth.Engine.Networking.Netlink;

namespace Berth.Engine.Networking;

/// <summary>
/// The default bridge for containers that have no record: the RUN steps of <c>build</c>. An address is
/// leased for this process (its pid and start time, so a crashed build's leases are reclaimed by the next
/// allocation), the veth pair is made as for a container, and disposing the lease gives the address back;
/// the veth goes with the container's namespace.
/// </summary>
public sealed class TransientNetworking(StateRoot root)
{
    private readonly NetworkService _networks = new(root, EventLog.For(root));

    /// <summary>Plugs the container whose process is <paramref name="pid"/> into the default bridge as eth0.</summary>
    public IDisposable Attach(string id, int pid)
    {
        var store = _networks.Store;
        var n = _networks.EnsureUp(store.Require(Network.DefaultBridge));
        uint address = 0;
        store.Db.InTransaction(() =>
        {
            store.LiveLeases(n.Id);
            address = AddressAllocator.Next(n.SubnetValue, n.GatewayValue, store.TakenAddresses(n.Id, ""));
            int self = Environment.ProcessId;
            store.InsertLease(id, n.Id, Ipv4.Format(address), self, Runtime.Interop.ChildProcess.StartTime(self));
        });
        var lease = new Lease(store, id);
        try
        {
            using var host = NetlinkSocket.Open();
            NetlinkSocket? inside = null;
            try { Veth.Plug(host, ref inside, n, Veth.HostName(id, 0), "eth0", pid, address, defaultRoute: true); }
            finally { inside?.Dispose(); }
        }
        catch
        {
            lease.Dispose();
            throw;
        }
        return lease;
    }

    private sealed class Lease(NetworkStore store, string id) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            store.DeleteLease(id);
        }
    }
}
