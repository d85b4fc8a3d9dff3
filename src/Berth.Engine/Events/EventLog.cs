using System.Globalization;
using System.Text;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Events;

/// <summary>
/// The append-only event log of a state root, <c>events.log</c>: every berth process (CLI, monitors)
/// appends one JSON line per event with O_APPEND, so lines from concurrent writers never interleave.
/// Past 8 MiB the file is renamed to <c>events.log.1</c> (the previous one is dropped) and a new one begun;
/// followers notice the rename and move on. Readers see the log as a stream (<see cref="EventReader"/>).
/// </summary>
public sealed class EventLog(string path)
{
    public const long RotateAt = 8L << 20;

    public string Path { get; } = path;

    public string PreviousPath => Path + ".1";

    public static EventLog For(StateRoot root) => new(System.IO.Path.Combine(root.Path, "events.log"));

    public void Append(BerthEvent e)
    {
        var line = Encoding.UTF8.GetBytes(e.ToJson() + "\n");
        int fd = Libc.open(Path, Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_100_000);
        if (fd < 0) return; // an event that cannot be written must not fail the command that caused it
        try
        {
            Fds.WriteAll(fd, line);
            if (new FileInfo(Path).Length > RotateAt) Rotate();
        }
        finally { Libc.close(fd); }
    }

    /// <summary>Records <paramref name="action"/> of <paramref name="type"/> <paramref name="id"/> now.</summary>
    public void Append(string type, string action, string id, IEnumerable<KeyValuePair<string, string>> attributes)
    {
        var attrs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in attributes) attrs[k] = v;
        Append(new BerthEvent { Type = type, Action = action, ActorId = id, Attributes = attrs, TimeNano = BerthEvent.Now() });
    }

    private void Rotate()
    {
        try { File.Move(Path, PreviousPath, overwrite: true); }
        catch (IOException) { }
    }

    /// <summary>Parses docker's --since/--until: RFC 3339, Unix seconds (with fraction), or a duration back from now (10m, 1h30m).</summary>
    public static long ParseTime(string text, DateTimeOffset now)
    {
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var unix))
            return (long)(unix * 1_000_000_000m);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            return (t.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) * 100;
        if (Duration(text) is { } d)
            return (now - d).ToUnixTimeMilliseconds() * 1_000_000;
        throw new BerthException($"invalid time '{text}': use RFC 3339 (2024-01-02T15:04:05Z), Unix seconds, or a duration such as 10m");
    }

    private static TimeSpan? Duration(string text)
    {
        var total = TimeSpan.Zero;
        int i = 0;
        if (text.Length == 0) return null;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (start == i || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return null;
            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i])) i++;
            double? seconds = text[unitStart..i] switch
            {
                "h" => 3600, "m" => 60, "s" => 1, "ms" => 0.001,
                _ => null,
            };
            if (seconds is not { } unit) return null;
            total += TimeSpan.FromSeconds(n * unit);
        }
        return total;
    }
}
