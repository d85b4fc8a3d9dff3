using Berth.Engine.Metadata;

namespace Berth.Engine.Containers;

internal sealed class ContainerSchema : ISchema
{
    public string Domain => "containers";

    public IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE containers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            image_id TEXT NOT NULL,
            spec TEXT NOT NULL,
            created TEXT NOT NULL,
            state TEXT NOT NULL,
            pid INTEGER NOT NULL DEFAULT 0,
            pid_start INTEGER NOT NULL DEFAULT 0,
            monitor_pid INTEGER NOT NULL DEFAULT 0,
            monitor_start INTEGER NOT NULL DEFAULT 0,
            exit_code INTEGER NOT NULL DEFAULT 0,
            oom_killed INTEGER NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT '',
            started TEXT,
            finished TEXT,
            restart_count INTEGER NOT NULL DEFAULT 0,
            stop_requested INTEGER NOT NULL DEFAULT 0,
            snapshot TEXT NOT NULL
        );
        CREATE INDEX containers_image ON containers(image_id);
        """,
    ];
}
