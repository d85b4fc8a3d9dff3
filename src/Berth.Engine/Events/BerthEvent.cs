using System.Globalization;
using System.Text.Json;

namespace Berth.Engine.Events;

/// <summary>
/// One event in docker's shape: <c>{"status","id","from","Type","Action","Actor":{"ID","Attributes"},"scope",
/// "time","timeNano"}</c>. The log stores exactly this JSON, one event per line, so <c>--format json</c>
/// prints lines as they are.
/// </summary>
public sealed record BerthEvent
{
    /// <summary>container, network, image, volume.</summary>
    public required string Type { get; init; }
    /// <summary>create, start, die, stop, kill, destroy, rename, connect, disconnect...</summary>
    public required string Action { get; init; }
    public required string ActorId { get; init; }
    public SortedDictionary<string, string> Attributes { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Nanoseconds since the Unix epoch.</summary>
    public required long TimeNano { get; init; }

    public DateTimeOffset Time => DateTimeOffset.FromUnixTimeMilliseconds(TimeNano / 1_000_000).AddTicks(TimeNano % 1_000_000 / 100);

    public static long Now()
    {
        var t = DateTimeOffset.UtcNow;
        return (t.Ticks - DateTimeOffset.UnixEpoch.Ticks) * 100;
    }

    /// <summary>The line the log holds (no newline).</summary>
    public string ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (Type == "container")
            {
                w.WriteString("status", Action);
                w.WriteString("id", ActorId);
                if (Attributes.TryGetValue("image", out var image)) w.WriteString("from", image);
            }
            w.WriteString("Type", Type);
            w.WriteString("Action", Action);
            w.WriteStartObject("Actor");
            w.WriteString("ID", ActorId);
            w.WriteStartObject("Attributes");
            foreach (var (k, v) in Attributes) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteString("scope", "local");
            w.WriteNumber("time", TimeNano / 1_000_000_000);
            w.WriteNumber("timeNano", TimeNano);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static BerthEvent? Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            var actor = r.GetProperty("Actor");
            var attributes = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (actor.TryGetProperty("Attributes", out var attrs) && attrs.ValueKind == JsonValueKind.Object)
                foreach (var p in attrs.EnumerateObject()) attributes[p.Name] = p.Value.GetString() ?? "";
            return new BerthEvent
            {
                Type = r.GetProperty("Type").GetString() ?? "",
                Action = r.GetProperty("Action").GetString() ?? "",
                ActorId = actor.GetProperty("ID").GetString() ?? "",
                Attributes = attributes,
                TimeNano = r.GetProperty("timeNano").GetInt64(),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>docker's plain line: <c>2024-01-02T03:04:05.123456789Z container start ID (image=x, name=y)</c>.</summary>
    public string ToText()
    {
        long seconds = TimeNano / 1_000_000_000, nanos = TimeNano % 1_000_000_000;
        var stamp = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            + "." + nanos.ToString("D9", CultureInfo.InvariantCulture) + "Z";
        var attrs = Attributes.Count == 0 ? "" : " (" + string.Join(", ", Attributes.Select(kv => kv.Key + "=" + kv.Value)) + ")";
        return $"{stamp} {Type} {Action} {ActorId}{attrs}";
    }
}
