using SQLitePCL;

namespace Berth.Engine.Metadata;

/// <summary>
/// The rows of one statement, read in place: <see cref="Read"/> steps to the next row, and the getters
/// read its columns (0-based, as SQLite numbers them). Disposing it gives the statement back.
/// </summary>
public sealed class SqlReader : IDisposable
{
    private readonly MetadataDb _db;
    private readonly string _sql;
    private sqlite3_stmt? _stmt;

    internal SqlReader(MetadataDb db, string sql, sqlite3_stmt stmt)
    {
        _db = db;
        _sql = sql;
        _stmt = stmt;
    }

    private sqlite3_stmt Stmt => _stmt ?? throw new ObjectDisposedException(nameof(SqlReader));

    /// <summary>Steps to the next row; false when there is none.</summary>
    public bool Read() => _db.Step(Stmt, _sql) == raw.SQLITE_ROW;

    public bool IsDBNull(int i) => raw.sqlite3_column_type(Stmt, i) == raw.SQLITE_NULL;

    public string GetString(int i) =>
        IsDBNull(i) ? throw new InvalidOperationException($"column {i} is NULL") : raw.sqlite3_column_text(Stmt, i).utf8_to_string();

    public long GetInt64(int i) => raw.sqlite3_column_int64(Stmt, i);

    public int GetInt32(int i) => raw.sqlite3_column_int(Stmt, i);

    /// <summary>The column as SQLite stores it: long, double, string, byte[], or DBNull.</summary>
    public object GetValue(int i) => raw.sqlite3_column_type(Stmt, i) switch
    {
        raw.SQLITE_INTEGER => raw.sqlite3_column_int64(Stmt, i),
        raw.SQLITE_FLOAT => raw.sqlite3_column_double(Stmt, i),
        raw.SQLITE_TEXT => raw.sqlite3_column_text(Stmt, i).utf8_to_string(),
        raw.SQLITE_BLOB => raw.sqlite3_column_blob(Stmt, i).ToArray(),
        _ => DBNull.Value,
    };

    public void Dispose()
    {
        if (_stmt is { } s) _db.Close(_sql, s);
        _stmt = null;
    }
}
