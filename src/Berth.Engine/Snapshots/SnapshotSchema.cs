using Berth.Engine.Metadata;

namespace Berth.Engine.Snapshots;

internal sealed class SnapshotSchema : ISchema
{
    public string Domain => "snapshots";

    public IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            parent_id INTEGER REFERENCES snapshots(id),
            kind INTEGER NOT NULL,
            created INTEGER NOT NULL,
            size INTEGER
        );
        CREATE INDEX snapshots_parent ON snapshots(parent_id);
        """,
    ];
}
