using System.Globalization;

namespace Berth.Engine.Build.Dockerfile;

/// <summary>Go's <c>time.ParseDuration</c> syntax (<c>1h30m</c>, <c>1.5s</c>, <c>300ms</c>), which HEALTHCHECK flags use.</summary>
internal static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text;
        bool negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0") return true;
        if (s.Length == 0) return false;
        decimal totalNs = 0;
        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            bool hadInt = i > start;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                int fracStart = i;
                while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
                if (!hadInt && i == fracStart) return false;
            }
            else if (!hadInt) return false;
            var number = s[start..i];
            int unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            long unitNs = s[unitStart..i] switch
            {
                "ns" => 1,
                "us" or "\u00b5s" or "\u03bcs" => 1_000,
                "ms" => 1_000_000,
                "s" => 1_000_000_000,
                "m" => 60_000_000_000,
                "h" => 3_600_000_000_000,
                _ => -1,
            };
            if (unitNs < 0) return false;
            if (number.StartsWith('.')) number = "0" + number;
            if (number.EndsWith('.')) number += "0";
            if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)) return false;
            if (value > long.MaxValue / unitNs) return false;
            totalNs += value * unitNs;
            if (totalNs > long.MaxValue) return false;
        }
        long ticks = (long)(totalNs / 100);
        duration = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }
}
