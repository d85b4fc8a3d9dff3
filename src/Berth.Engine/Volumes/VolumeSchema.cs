using Berth.Engine.Metadata;

namespace Berth.Engine.Volumes;

internal sealed class VolumeSchema : ISchema
{
    public string Domain => "volumes";

    public IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE volumes (
            name TEXT PRIMARY KEY,
            driver TEXT NOT NULL,
            created TEXT NOT NULL,
            labels TEXT NOT NULL,
            anonymous INTEGER NOT NULL DEFAULT 0
        );
        """,
    ];
}
