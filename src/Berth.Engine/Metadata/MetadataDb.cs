using Microsoft.Data.Sqlite;

namespace Berth.Engine.Metadata;

/// <summary>
/// The one SQLite database of a state root: image records, tags, containers, build cache, networks...
/// Each domain owns its tables through an <see cref="ISchema"/>; every change runs in one transaction.
/// </summary>
public sealed class MetadataDb : IDisposable
{
    private static int s_providerSet;
    private readonly SqliteConnection _connection;

    public MetadataDb(string path, IEnumerable<ISchema> schemas)
    {
        if (Interlocked.Exchange(ref s_providerSet, 1) == 0)
            SQLitePCL.raw.SetProvider(new SQLitePCL.SQLite3Provider_sqlite3());
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        _connection.Open();
        KeepWalOnClose();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
        Migrate(schemas);
    }

    public SqliteConnection Connection => _connection;

    /// <summary>
    /// By default the last connection to close checkpoints the WAL into the database and deletes it: two
    /// fdatasyncs and an unlink, 10-25 ms on this class of disk, paid by every short berth command. With
    /// SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE the WAL stays, and a crash loses nothing. But each new process is
    /// the first to open it, and SQLite then rebuilds the WAL index by reading every frame (1000 frames,
    /// 8 ms): so the WAL is kept short, checkpointed during commits once it passes 200 pages.
    /// </summary>
    private void KeepWalOnClose()
    {
        const int SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE = 1006;
        SQLitePCL.raw.sqlite3_db_config(_connection.Handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
        Execute("PRAGMA wal_autocheckpoint=200; PRAGMA journal_size_limit=1048576");
    }

    /// <summary>
    /// Brings every domain's tables up to date. The header's user_version holds a stamp of the schemas last
    /// applied, so the common case (nothing to do) costs one read of the header page.
    /// </summary>
    private void Migrate(IEnumerable<ISchema> schemas)
    {
        int stamp = Stamp(schemas);
        if (Scalar("PRAGMA user_version") is long applied && applied == stamp) return;
        Execute("CREATE TABLE IF NOT EXISTS schema_versions (domain TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        var have = new Dictionary<string, int>();
        using (var q = Command("SELECT domain, version FROM schema_versions"))
        using (var r = q.ExecuteReader())
            while (r.Read()) have[r.GetString(0)] = r.GetInt32(1);
        foreach (var schema in schemas)
        {
            int current = have.GetValueOrDefault(schema.Domain);
            if (current >= schema.Migrations.Count) continue;
            InTransaction(() =>
            {
                // Re-read inside the write transaction: another process may have migrated meanwhile.
                using var again = Command("SELECT version FROM schema_versions WHERE domain=$d", ("$d", schema.Domain));
                int v = again.ExecuteScalar() is long l ? (int)l : 0;
                for (; v < schema.Migrations.Count; v++) Execute(schema.Migrations[v]);
                Execute("INSERT INTO schema_versions(domain, version) VALUES($d, $v) ON CONFLICT(domain) DO UPDATE SET version=$v",
                    ("$d", schema.Domain), ("$v", v));
            });
        }
        Execute($"PRAGMA user_version={stamp}");
    }

    /// <summary>A nonzero fingerprint (FNV-1a) of every domain and its number of migrations.</summary>
    private static int Stamp(IEnumerable<ISchema> schemas)
    {
        uint h = 2166136261;
        foreach (var schema in schemas)
        {
            foreach (char c in schema.Domain) h = (h ^ c) * 16777619;
            h = (h ^ (uint)schema.Migrations.Count) * 16777619;
        }
        return (int)(h & 0x7fffffff) | 1;
    }

    public SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read()) list.Add(map(r));
        return list;
    }

    private int _depth;

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction (BEGIN IMMEDIATE, so concurrent writers queue
    /// instead of failing). Nested calls join the outer transaction.
    /// </summary>
    public T InTransaction<T>(Func<T> work)
    {
        if (_depth > 0) { _depth++; try { return work(); } finally { _depth--; } }
        Execute("BEGIN IMMEDIATE");
        _depth = 1;
        try
        {
            var result = work();
            Execute("COMMIT");
            return result;
        }
        catch
        {
            try { Execute("ROLLBACK"); } catch (SqliteException) { }
            throw;
        }
        finally { _depth = 0; }
    }

    public void InTransaction(Action work) => InTransaction(() => { work(); return 0; });

    public void Dispose() => _connection.Dispose();
}

/// <summary>A domain's tables: its migrations, applied in order once each.</summary>
public interface ISchema
{
    string Domain { get; }
    IReadOnlyList<string> Migrations { get; }
}
