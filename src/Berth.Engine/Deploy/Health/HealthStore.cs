using System.Globalization;
using System.Text.Json;
using Berth.Engine.Metadata;

namespace Berth.Engine.Deploy.Health;

/// <summary>Containers' health states in the metadata database (written by their monitors, read by ps, inspect and rollouts).</summary>
public sealed class HealthStore(MetadataDb db)
{
    public void Put(string containerId, HealthState state) =>
        db.Execute("""
            INSERT INTO container_health(container_id, status, failing_streak, log) VALUES($id, $s, $f, $l)
            ON CONFLICT(container_id) DO UPDATE SET status=$s, failing_streak=$f, log=$l
            """, ("$id", containerId), ("$s", state.Status), ("$f", state.FailingStreak), ("$l", LogJson(state.Log)));

    public HealthState? Get(string containerId) =>
        db.Query("SELECT status, failing_streak, log FROM container_health WHERE container_id=$id", Map, ("$id", containerId)).FirstOrDefault();

    /// <summary>Just the statuses, for listing many containers at once.</summary>
    public Dictionary<string, string> Statuses() =>
        db.Query("SELECT container_id, status FROM container_health", r => (r.GetString(0), r.GetString(1))).ToDictionary(x => x.Item1, x => x.Item2);

    public void Delete(string containerId) => db.Execute("DELETE FROM container_health WHERE container_id=$id", ("$id", containerId));

    private static HealthState Map(SqlReader r) => new()
    {
        Status = r.GetString(0),
        FailingStreak = r.GetInt32(1),
        Log = ReadLog(r.GetString(2)),
    };

    private static string LogJson(List<HealthProbeResult> log)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var p in log)
            {
                w.WriteStartObject();
                w.WriteString("Start", p.Start.ToString("O", CultureInfo.InvariantCulture));
                w.WriteString("End", p.End.ToString("O", CultureInfo.InvariantCulture));
                w.WriteNumber("ExitCode", p.ExitCode);
                w.WriteString("Output", p.Output);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static List<HealthProbeResult> ReadLog(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(e => new HealthProbeResult
        {
            Start = DateTimeOffset.Parse(e.GetProperty("Start").GetString()!, CultureInfo.InvariantCulture),
            End = DateTimeOffset.Parse(e.GetProperty("End").GetString()!, CultureInfo.InvariantCulture),
            ExitCode = e.GetProperty("ExitCode").GetInt32(),
            Output = e.GetProperty("Output").GetString() ?? "",
        }).ToList();
    }
}
