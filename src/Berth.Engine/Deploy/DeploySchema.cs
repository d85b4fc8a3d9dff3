using Berth.Engine.Metadata;

namespace Berth.Engine.Deploy;

/// <summary>
/// Deploy's tables: containers' health (written by their monitors; gone with the container), services
/// (one row per compose service: its current spec, revision and load balancer process), and revisions
/// (every rollout, numbered per service).
/// </summary>
internal sealed class DeploySchema : ISchema
{
    public string Domain => "deploy";

    public IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE container_health (
            container_id TEXT PRIMARY KEY REFERENCES containers(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            failing_streak INTEGER NOT NULL DEFAULT 0,
            log TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE deploy_services (
            key TEXT PRIMARY KEY,
            project TEXT NOT NULL,
            service TEXT NOT NULL,
            spec TEXT NOT NULL,
            network TEXT NOT NULL,
            revision INTEGER NOT NULL DEFAULT 0,
            lb_pid INTEGER NOT NULL DEFAULT 0,
            lb_start INTEGER NOT NULL DEFAULT 0,
            updated TEXT NOT NULL,
            UNIQUE(project, service)
        );
        CREATE TABLE deploy_revisions (
            service_key TEXT NOT NULL REFERENCES deploy_services(key) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            image TEXT NOT NULL,
            image_id TEXT NOT NULL,
            spec TEXT NOT NULL,
            created TEXT NOT NULL,
            user TEXT NOT NULL,
            strategy TEXT NOT NULL,
            status TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            PRIMARY KEY(service_key, number)
        );
        """,
    ];
}
