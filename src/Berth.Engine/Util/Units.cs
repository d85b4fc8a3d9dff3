using System.Globalization;

namespace Berth.Engine.Util;

/// <summary>Sizes and durations the way docker prints and parses them.</summary>
public static class Units
{
    private static readonly string[] DecimalUnits = ["B", "kB", "MB", "GB", "TB", "PB"];

    /// <summary>docker's HumanSizeWithPrecision: decimal (1000-based) units, e.g. <c>10.2MB</c> with 3 digits.</summary>
    public static string HumanSize(double bytes, int precision = 4)
    {
        int i = 0;
        while (bytes >= 1000 && i < DecimalUnits.Length - 1) { bytes /= 1000; i++; }
        return bytes.ToString("G" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + DecimalUnits[i];
    }

    /// <summary>docker's RAMInBytes: <c>12m</c>, <c>1.5g</c>, <c>512k</c>, <c>1024</c> (1024-based).</summary>
    public static long ParseRamSize(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        if (end == 0 || !double.TryParse(s[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            throw new BerthException($"invalid size: '{text}'");
        var unit = s[end..];
        if (unit.EndsWith('b') && unit.Length == 2) unit = unit[..1];
        if (unit.EndsWith("ib")) unit = unit[..^2];
        long mul = unit switch
        {
            "" or "b" => 1,
            "k" => 1L << 10,
            "m" => 1L << 20,
            "g" => 1L << 30,
            "t" => 1L << 40,
            "p" => 1L << 50,
            _ => throw new BerthException($"invalid size: '{text}'"),
        };
        return (long)(n * mul);
    }

    /// <summary>docker's HumanDuration for "Created 5 minutes ago" columns.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        double seconds = d.TotalSeconds;
        if (seconds < 1) return "Less than a second";
        if (seconds < 2) return "1 second";
        if (seconds < 60) return $"{(int)seconds} seconds";
        double minutes = d.TotalMinutes;
        if (minutes < 2) return "About a minute";
        if (minutes < 60) return $"{(int)minutes} minutes";
        double hours = d.TotalHours;
        if (Math.Round(hours) == 1) return "About an hour";
        if (hours < 48) return $"{(int)hours} hours";
        if (hours < 24 * 7 * 2) return $"{(int)(hours / 24)} days";
        if (hours < 24 * 30 * 2) return $"{(int)(hours / 24 / 7)} weeks";
        if (hours < 24 * 365 * 2) return $"{(int)(hours / 24 / 30)} months";
        return $"{(int)(hours / 24 / 365)} years";
    }

    /// <summary>Go-style durations: <c>30s</c>, <c>1m30s</c>, <c>500ms</c>, <c>2h</c>.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var s = text.Trim();
        if (s == "0") return TimeSpan.Zero;
        double total = 0;
        int i = 0;
        if (s.Length == 0) throw new BerthException($"invalid duration \"{text}\"");
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (start == i || !double.TryParse(s[start..i], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
                throw new BerthException($"invalid duration \"{text}\": use e.g. 30s, 1m30s, 500ms");
            int u = i;
            while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
            total += s[u..i] switch
            {
                "ns" => n / 1e9,
                "us" or "µs" => n / 1e6,
                "ms" => n / 1e3,
                "s" => n,
                "m" => n * 60,
                "h" => n * 3600,
                _ => throw new BerthException($"invalid duration \"{text}\": unknown unit \"{s[u..i]}\""),
            };
        }
        return TimeSpan.FromSeconds(total);
    }
}
