using Berth.Engine.Metadata;

namespace Berth.Engine.Build.Cache;

internal sealed class BuildCacheSchema : ISchema
{
    public string Domain => "build_cache";

    public IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE build_cache (
            key TEXT PRIMARY KEY,                -- sha256 of parent state, step definition, file checksums
            config BLOB NOT NULL,                -- the image config JSON after the step
            config_digest TEXT NOT NULL,         -- its sha256: the state the next step starts from
            layer_diff_id TEXT,                  -- the uncompressed layer blob the step added, or NULL
            layer_size INTEGER,                  -- its size in bytes
            chain_id TEXT,                       -- the committed snapshot of the whole state, NULL without layers
            created INTEGER NOT NULL,            -- unix ms
            last_used INTEGER NOT NULL           -- unix ms
        );
        CREATE INDEX build_cache_last_used ON build_cache(last_used);
        """,
        """
        CREATE TABLE build_file_sums (
            path TEXT PRIMARY KEY,               -- a context file, absolute host path
            dev INTEGER NOT NULL,
            ino INTEGER NOT NULL,
            size INTEGER NOT NULL,
            mtime INTEGER NOT NULL,              -- ns
            ctime INTEGER NOT NULL,              -- ns: any write or chmod changes it
            sha256 BLOB NOT NULL
        );
        """,
    ];
}
