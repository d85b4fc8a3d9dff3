using System.Globalization;
using Berth.Engine.Metadata;
using Microsoft.Data.Sqlite;

namespace Berth.Engine.Containers;

/// <summary>Container records in the metadata database; each change is one statement or one transaction.</summary>
public sealed class ContainerStore(MetadataDb db)
{
    private const string Columns = "id, name, spec, created, state, pid, pid_start, monitor_pid, monitor_start, exit_code, oom_killed, error, started, finished, restart_count, stop_requested, snapshot";

    public void Insert(Container c)
    {
        try
        {
            db.Execute($"INSERT INTO containers(id, name, image_id, spec, created, state, snapshot) VALUES($id, $name, $image, $spec, $created, $state, $snap)",
                ("$id", c.Id), ("$name", c.Name), ("$image", c.Spec.ImageId), ("$spec", SpecJson(c.Spec)),
                ("$created", Time(c.Created)), ("$state", c.State), ("$snap", c.SnapshotKey));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */)
        {
            throw NameInUse(c.Name);
        }
    }

    public BerthException NameInUse(string name)
    {
        var owner = db.Scalar("SELECT id FROM containers WHERE name=$n", ("$n", name)) as string ?? "";
        return new BerthException($"Conflict. The container name \"/{name}\" is already in use by container \"{owner}\". You have to remove (or rename) that container to be able to reuse that name.", BerthException.EngineError);
    }

    public Container? Get(string id) =>
        db.Query($"SELECT {Columns} FROM containers WHERE id=$id", Map, ("$id", id)).FirstOrDefault();

    /// <summary>docker's lookup: full ID, exact name (with or without the leading /), then a unique ID prefix.</summary>
    public Container? Find(string idOrName)
    {
        if (idOrName.Length == 0) return null;
        var name = idOrName.TrimStart('/');
        var byId = Get(idOrName);
        if (byId is not null) return byId;
        var byName = db.Query($"SELECT {Columns} FROM containers WHERE name=$n", Map, ("$n", name)).FirstOrDefault();
        if (byName is not null) return byName;
        if (!idOrName.All(char.IsAsciiHexDigitLower)) return null;
        var matches = db.Query($"SELECT {Columns} FROM containers WHERE id >= $lo AND id < $hi LIMIT 2", Map, ("$lo", idOrName), ("$hi", idOrName + "~"));
        if (matches.Count > 1) throw new BerthException($"Multiple IDs found with provided prefix: {idOrName}");
        return matches.FirstOrDefault();
    }

    public IReadOnlyList<Container> List() => db.Query($"SELECT {Columns} FROM containers ORDER BY created DESC", Map);

    public IReadOnlyList<Container> ListActive() =>
        db.Query($"SELECT {Columns} FROM containers WHERE state IN ('running','restarting','paused') ORDER BY created DESC", Map);

    public IReadOnlyList<string> IdsUsingImage(string imageId) =>
        db.Query("SELECT id FROM containers WHERE image_id=$i", r => r.GetString(0), ("$i", imageId));

    public void MarkStarted(string id, int pid, long pidStart, int monitorPid, long monitorStart, DateTimeOffset at) =>
        db.Execute("""
            UPDATE containers SET state='running', pid=$pid, pid_start=$ps, monitor_pid=$mp, monitor_start=$ms, started=$at,
                exit_code=0, oom_killed=0, error='', stop_requested=0 WHERE id=$id
            """, ("$id", id), ("$pid", pid), ("$ps", pidStart), ("$mp", monitorPid), ("$ms", monitorStart), ("$at", Time(at)));

    /// <summary>Hands an existing container to the process that will run it (before it starts).</summary>
    public void MarkMonitor(string id, int monitorPid, long monitorStart) =>
        db.Execute("UPDATE containers SET monitor_pid=$mp, monitor_start=$ms WHERE id=$id", ("$id", id), ("$mp", monitorPid), ("$ms", monitorStart));

    public void MarkExited(string id, int exitCode, bool oomKilled, DateTimeOffset at, string error = "") =>
        db.Execute("""
            UPDATE containers SET state='exited', pid=0, pid_start=0, exit_code=$code, oom_killed=$oom, finished=$at, error=$err WHERE id=$id
            """, ("$id", id), ("$code", exitCode), ("$oom", oomKilled ? 1 : 0), ("$at", Time(at)), ("$err", error));

    /// <summary>Records the exit of a container whose monitor died without recording it; false when the record
    /// no longer shows that monitor running it (someone else recorded the exit first).</summary>
    public bool MarkMonitorLost(string id, int monitorPid, long monitorStart, int exitCode, bool oomKilled, DateTimeOffset at, string error) =>
        db.Execute("""
            UPDATE containers SET state='exited', pid=0, pid_start=0, exit_code=$code, oom_killed=$oom, finished=$at, error=$err
            WHERE id=$id AND state IN ('running','restarting','paused') AND monitor_pid=$mp AND monitor_start=$ms
            """, ("$id", id), ("$mp", monitorPid), ("$ms", monitorStart), ("$code", exitCode), ("$oom", oomKilled ? 1 : 0), ("$at", Time(at)), ("$err", error)) > 0;

    /// <summary>A start that failed before the payload ran: docker keeps it "created" with the exit code and error.</summary>
    public void MarkStartFailed(string id, int exitCode, string error) =>
        db.Execute("UPDATE containers SET state='created', pid=0, pid_start=0, monitor_pid=0, monitor_start=0, exit_code=$code, error=$err WHERE id=$id",
            ("$id", id), ("$code", exitCode), ("$err", error));

    public void MarkRestarting(string id) =>
        db.Execute("UPDATE containers SET state='restarting', pid=0, pid_start=0, restart_count=restart_count+1 WHERE id=$id", ("$id", id));

    public void SetStopRequested(string id, bool value) =>
        db.Execute("UPDATE containers SET stop_requested=$v WHERE id=$id", ("$id", id), ("$v", value ? 1 : 0));

    public void ResetRestartCount(string id) => db.Execute("UPDATE containers SET restart_count=0 WHERE id=$id", ("$id", id));

    public void Rename(string id, string newName)
    {
        try { db.Execute("UPDATE containers SET name=$n WHERE id=$id", ("$id", id), ("$n", newName)); }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) { throw NameInUse(newName); }
    }

    public bool Delete(string id) => db.Execute("DELETE FROM containers WHERE id=$id", ("$id", id)) > 0;

    public bool NameExists(string name) => db.Scalar("SELECT 1 FROM containers WHERE name=$n", ("$n", name)) is not null;

    private static Container Map(SqlReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        Spec = ContainerSpecCodec.Read(r.GetString(2)),
        Created = ParseTime(r.GetString(3)),
        State = r.GetString(4),
        Pid = r.GetInt32(5),
        PidStart = r.GetInt64(6),
        MonitorPid = r.GetInt32(7),
        MonitorStart = r.GetInt64(8),
        ExitCode = r.GetInt32(9),
        OomKilled = r.GetInt32(10) != 0,
        Error = r.GetString(11),
        StartedAt = r.IsDBNull(12) ? null : ParseTime(r.GetString(12)),
        FinishedAt = r.IsDBNull(13) ? null : ParseTime(r.GetString(13)),
        RestartCount = r.GetInt32(14),
        StopRequested = r.GetInt32(15) != 0,
        SnapshotKey = r.GetString(16),
    };

    internal static string SpecJson(ContainerSpec spec) => ContainerSpecCodec.Write(spec);

    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
