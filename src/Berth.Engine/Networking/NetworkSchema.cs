using Berth.Engine.Metadata;

namespace Berth.Engine.Networking;

/// <summary>Networks, the containers' endpoints on them, and published ports of running containers.
/// Endpoints and ports go with their container (ON DELETE CASCADE), endpoints also with their network.
/// Leases are addresses held by containers without a record (build's RUN steps) while their owner process lives.</summary>
internal sealed class NetworkSchema : ISchema
{
    public string Domain => "networks";

    public IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE networks (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            driver TEXT NOT NULL,
            subnet TEXT NOT NULL DEFAULT '',
            gateway TEXT NOT NULL DEFAULT '',
            bridge TEXT NOT NULL DEFAULT '',
            internal INTEGER NOT NULL DEFAULT 0,
            labels TEXT NOT NULL DEFAULT '{}',
            created TEXT NOT NULL
        );
        CREATE TABLE endpoints (
            container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
            network_id TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            aliases TEXT NOT NULL DEFAULT '[]',
            static_ip TEXT NOT NULL DEFAULT '',
            ip TEXT NOT NULL DEFAULT '',
            mac TEXT NOT NULL DEFAULT '',
            host_if TEXT NOT NULL DEFAULT '',
            endpoint_id TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (container_id, network_id)
        );
        CREATE INDEX endpoints_network ON endpoints(network_id);
        CREATE UNIQUE INDEX endpoints_ip ON endpoints(network_id, ip) WHERE ip != '';
        CREATE TABLE published_ports (
            container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
            protocol TEXT NOT NULL,
            host_ip TEXT NOT NULL,
            host_port INTEGER NOT NULL,
            container_port INTEGER NOT NULL,
            container_ip TEXT NOT NULL
        );
        CREATE INDEX published_ports_container ON published_ports(container_id);
        INSERT INTO networks(id, name, driver, created) VALUES
            (lower(hex(randomblob(32))), 'bridge', 'bridge', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            (lower(hex(randomblob(32))), 'host', 'host', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            (lower(hex(randomblob(32))), 'none', 'null', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
        """,
        """
        CREATE TABLE leases (
            id TEXT PRIMARY KEY,
            network_id TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
            ip TEXT NOT NULL,
            owner_pid INTEGER NOT NULL,
            owner_start INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX leases_ip ON leases(network_id, ip);
        """,
    ];
}
