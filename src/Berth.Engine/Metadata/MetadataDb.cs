using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Berth.Engine.Metadata;

/// <summary>
/// The one SQLite database of a state root: image records, tags, containers, build cache, networks...
/// Each domain owns its tables through an <see cref="ISchema"/>; every change runs in one transaction.
/// It talks to SQLite directly (SQLitePCL.raw), with prepared statements kept for reuse: every berth
/// command opens it, and Microsoft.Data.Sqlite's first use alone (a pool-pruning timer thread, a probe
/// for a bundle assembly that throws under NativeAOT, connection-string parsing) cost more than the
/// queries of a container start. Errors are still <see cref="SqliteException"/>s.
/// One connection serves every thread of a process (a build runs independent stages at once): a
/// transaction holds the connection's gate from BEGIN to COMMIT, and every statement takes it too, so
/// another thread's statements never join, see or roll back a transaction that is not theirs.
/// </summary>
public sealed class MetadataDb : IDisposable
{
    private static int s_providerSet;
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);
    private readonly sqlite3 _db;
    private readonly Dictionary<string, sqlite3_stmt> _statements = new(StringComparer.Ordinal);
    /// <summary>Reentrant (a monitor): a transaction's statements, and nested transactions, take it again.</summary>
    private readonly object _gate = new();

    public MetadataDb(string path, IEnumerable<ISchema> schemas)
    {
        if (Interlocked.Exchange(ref s_providerSet, 1) == 0)
            raw.SetProvider(new SQLite3Provider_sqlite3());
        int rc = raw.sqlite3_open_v2(path, out _db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE, null);
        if (rc != raw.SQLITE_OK)
        {
            var e = Error(rc, "open " + path);
            _db.Dispose();
            throw e;
        }
        raw.sqlite3_extended_result_codes(_db, 1);
        // Before any statement: even preparing one reads the schema, which waits for a writer's lock.
        raw.sqlite3_busy_timeout(_db, (int)BusyTimeout.TotalMilliseconds);
        KeepWalOnClose();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        Migrate(schemas);
    }

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
        raw.sqlite3_db_config(_db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
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
        foreach (var (domain, version) in Query("SELECT domain, version FROM schema_versions", r => (r.GetString(0), r.GetInt32(1))))
            have[domain] = version;
        foreach (var schema in schemas)
        {
            int current = have.GetValueOrDefault(schema.Domain);
            if (current >= schema.Migrations.Count) continue;
            InTransaction(() =>
            {
                // Re-read inside the write transaction: another process may have migrated meanwhile.
                int v = Scalar("SELECT version FROM schema_versions WHERE domain=$d", ("$d", schema.Domain)) is long l ? (int)l : 0;
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

    /// <summary>A statement to run later (its reader steps through the rows).</summary>
    public SqlCommand Command(string sql, params (string Name, object? Value)[] parameters) => new(this, sql, parameters);

    /// <summary>Runs every statement of <paramref name="sql"/>; returns the rows they changed.</summary>
    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (_gate)
        {
            int changed = 0;
            string rest = sql;
            while (rest.Length > 0)
            {
                var stmt = Prepare(rest, out var tail, out bool whole);
                if (stmt is null) break;
                try
                {
                    Bind(stmt, parameters);
                    while (Step(stmt, rest) == raw.SQLITE_ROW) { }
                    if (raw.sqlite3_stmt_readonly(stmt) == 0) changed += raw.sqlite3_changes(_db);
                }
                finally
                {
                    if (whole) Release(rest, stmt);
                    else stmt.Dispose();
                }
                rest = tail;
            }
            return changed;
        }
    }

    /// <summary>The first column of the first row (long, double, string or byte[]), or null.</summary>
    public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var r = Reader(sql, parameters);
        if (!r.Read()) return null;
        var v = r.GetValue(0);
        return v is DBNull ? null : v;
    }

    public List<T> Query<T>(string sql, Func<SqlReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var r = Reader(sql, parameters);
        var list = new List<T>();
        while (r.Read()) list.Add(map(r));
        return list;
    }

    /// <summary>A reader over one statement's rows. It holds the connection's gate until disposed, on the
    /// thread that opened it.</summary>
    public SqlReader Reader(string sql, params (string Name, object? Value)[] parameters)
    {
        Monitor.Enter(_gate);
        try
        {
            var stmt = Prepare(sql, out var tail, out bool whole) ?? throw new ArgumentException("no SQL statement", nameof(sql));
            if (!whole || tail.Trim().Length > 0)
            {
                stmt.Dispose();
                throw new ArgumentException("a query is one statement", nameof(sql));
            }
            try { Bind(stmt, parameters); }
            catch
            {
                Release(sql, stmt);
                throw;
            }
            return new SqlReader(this, sql, stmt);
        }
        catch
        {
            Monitor.Exit(_gate);
            throw;
        }
    }

    /// <summary>A reader is done: its statement goes back for reuse and the gate opens.</summary>
    internal void Close(string sql, sqlite3_stmt stmt)
    {
        try { Release(sql, stmt); }
        finally { Monitor.Exit(_gate); }
    }

    /// <summary>A prepared statement: a kept one when <paramref name="sql"/> is a single statement seen
    /// before (<paramref name="whole"/>), else a new one; null when only whitespace or comments remain.</summary>
    private sqlite3_stmt? Prepare(string sql, out string tail, out bool whole)
    {
        lock (_statements)
            if (_statements.Remove(sql, out var kept))
            {
                tail = "";
                whole = true;
                return kept;
            }
        long start = 0;
        int rc;
        sqlite3_stmt? stmt;
        while ((rc = raw.sqlite3_prepare_v2(_db, sql, out stmt, out tail)) != raw.SQLITE_OK)
        {
            stmt?.Dispose();
            if (!StillWaiting(rc, ref start)) throw Error(rc, sql);
            Thread.Sleep(1);
        }
        tail ??= "";
        whole = tail.Trim().Length == 0;
        if (stmt is null || stmt.IsInvalid)
        {
            stmt?.Dispose();
            return null;
        }
        return stmt;
    }

    /// <summary>Gives a single-statement statement back for reuse.</summary>
    private void Release(string sql, sqlite3_stmt stmt)
    {
        raw.sqlite3_reset(stmt);
        raw.sqlite3_clear_bindings(stmt);
        lock (_statements)
            if (!_statements.TryAdd(sql, stmt)) stmt.Dispose();
    }

    private void Bind(sqlite3_stmt stmt, (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            int i = raw.sqlite3_bind_parameter_index(stmt, name);
            if (i == 0) continue;
            int rc = value switch
            {
                null or DBNull => raw.sqlite3_bind_null(stmt, i),
                string s => raw.sqlite3_bind_text(stmt, i, s),
                long l => raw.sqlite3_bind_int64(stmt, i, l),
                int n => raw.sqlite3_bind_int64(stmt, i, n),
                bool b => raw.sqlite3_bind_int64(stmt, i, b ? 1 : 0),
                byte[] bytes => raw.sqlite3_bind_blob(stmt, i, bytes),
                double d => raw.sqlite3_bind_double(stmt, i, d),
                Enum e => raw.sqlite3_bind_int64(stmt, i, Convert.ToInt64(e, CultureInfo.InvariantCulture)),
                uint or ulong or short or ushort or byte or sbyte => raw.sqlite3_bind_int64(stmt, i, Convert.ToInt64(value, CultureInfo.InvariantCulture)),
                float f => raw.sqlite3_bind_double(stmt, i, f),
                _ => throw new ArgumentException($"cannot store a {value.GetType().Name} in SQLite ({name})"),
            };
            if (rc != raw.SQLITE_OK) throw Error(rc, name);
        }
    }

    /// <summary>One step; SQLITE_ROW or SQLITE_DONE. A busy database is waited for, up to 30 s.</summary>
    internal int Step(sqlite3_stmt stmt, string sql)
    {
        long start = 0;
        for (;;)
        {
            int rc = raw.sqlite3_step(stmt);
            if (rc is raw.SQLITE_ROW or raw.SQLITE_DONE) return rc;
            if (!StillWaiting(rc, ref start))
            {
                var e = Error(rc, sql);
                raw.sqlite3_reset(stmt);
                throw e;
            }
            raw.sqlite3_reset(stmt);
            Thread.Sleep(1);
        }
    }

    /// <summary>Whether a busy or locked result is still within <see cref="BusyTimeout"/> of the first one
    /// (<paramref name="start"/>, 0 until then), so the caller tries again: this covers what the busy handler
    /// cannot wait for (a WAL being recovered, a lock upgrade), as Microsoft.Data.Sqlite does.</summary>
    private static bool StillWaiting(int rc, ref long start)
    {
        if ((rc & 0xFF) is not (raw.SQLITE_BUSY or raw.SQLITE_LOCKED)) return false;
        if (start == 0) start = Stopwatch.GetTimestamp();
        return Stopwatch.GetElapsedTime(start) < BusyTimeout;
    }

    private SqliteException Error(int rc, string context)
    {
        string message = _db is null || _db.IsInvalid ? raw.sqlite3_errstr(rc).utf8_to_string() : raw.sqlite3_errmsg(_db).utf8_to_string();
        return new SqliteException($"SQLite Error {rc & 0xFF}: '{message}' ({context.Trim()}).", rc & 0xFF, rc);
    }

    private int _depth;

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction (BEGIN IMMEDIATE, so concurrent writers queue
    /// instead of failing). Nested calls join the outer transaction; other threads wait for its end.
    /// </summary>
    public T InTransaction<T>(Func<T> work)
    {
        lock (_gate)
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
    }

    public void InTransaction(Action work) => InTransaction(() => { work(); return 0; });

    public void Dispose()
    {
        lock (_gate)
        lock (_statements)
        {
            foreach (var stmt in _statements.Values) stmt.Dispose();
            _statements.Clear();
        }
        _db.Dispose();
    }
}

/// <summary>A statement and its parameters, run when asked.</summary>
public sealed class SqlCommand(MetadataDb db, string sql, (string Name, object? Value)[] parameters) : IDisposable
{
    public SqlReader ExecuteReader() => db.Reader(sql, parameters);

    public object? ExecuteScalar() => db.Scalar(sql, parameters);

    public int ExecuteNonQuery() => db.Execute(sql, parameters);

    public void Dispose() { }
}

/// <summary>A domain's tables: its migrations, applied in order once each.</summary>
public interface ISchema
{
    string Domain { get; }
    IReadOnlyList<string> Migrations { get; }
}
