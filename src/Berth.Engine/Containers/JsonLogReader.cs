using System.Text;
using System.Text.Json;

namespace Berth.Engine.Containers;

/// <summary>One entry of a json-file log.</summary>
public readonly record struct LogEntry(string Stream, DateTimeOffset Time, byte[] Line);

/// <summary>Reads docker json-file logs: every entry, the last N, those since a time, and following a live file.</summary>
public static class JsonLogReader
{
    public static IEnumerable<LogEntry> Read(string path, int? tail = null, DateTimeOffset? since = null)
    {
        if (!File.Exists(path)) yield break;
        IEnumerable<string> lines = File.ReadLines(path);
        if (tail is { } n && n >= 0) lines = TailLines(path, n);
        foreach (var line in lines)
            if (Parse(line) is { } e && (since is null || e.Time >= since)) yield return e;
    }

    private static List<string> TailLines(string path, int n)
    {
        var queue = new Queue<string>(n + 1);
        if (n == 0) return [];
        foreach (var line in File.ReadLines(path))
        {
            queue.Enqueue(line);
            if (queue.Count > n) queue.Dequeue();
        }
        return [.. queue];
    }

    /// <summary>Follows the file from <paramref name="offset"/>: yields complete entries as they are written,
    /// until <paramref name="stillRunning"/> says the writer is gone and nothing more is there.</summary>
    public static IEnumerable<LogEntry> Follow(string path, long offset, Func<bool> stillRunning, CancellationToken ct)
    {
        using var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        fs.Position = offset;
        var pending = new MemoryStream();
        var buf = new byte[64 * 1024];
        while (!ct.IsCancellationRequested)
        {
            int n = fs.Read(buf, 0, buf.Length);
            if (n == 0)
            {
                if (!stillRunning())
                {
                    // One last look: the writer may have flushed just before it ended.
                    n = fs.Read(buf, 0, buf.Length);
                    if (n == 0) yield break;
                }
                else
                {
                    Thread.Sleep(50);
                    continue;
                }
            }
            pending.Write(buf, 0, n);
            var data = pending.GetBuffer().AsSpan(0, (int)pending.Length);
            int start = 0;
            var entries = new List<LogEntry>();
            for (int i = 0; i < data.Length; i++)
                if (data[i] == (byte)'\n')
                {
                    if (Parse(Encoding.UTF8.GetString(data[start..i])) is { } e) entries.Add(e);
                    start = i + 1;
                }
            var rest = data[start..].ToArray();
            pending.SetLength(0);
            pending.Write(rest);
            foreach (var e in entries) yield return e;
        }
    }

    public static LogEntry? Parse(string line)
    {
        if (line.Length == 0) return null;
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
            string stream = "stdout";
            DateTimeOffset time = default;
            byte[] log = [];
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "log": log = Encoding.UTF8.GetBytes(reader.GetString() ?? ""); break;
                    case "stream": stream = reader.GetString() ?? "stdout"; break;
                    case "time": time = DateTimeOffset.Parse(reader.GetString() ?? "", System.Globalization.CultureInfo.InvariantCulture); break;
                    default: reader.Skip(); break;
                }
            }
            return new LogEntry(stream, time, log);
        }
        catch (JsonException) { return null; }
        catch (FormatException) { return null; }
    }
}
