namespace Berth.Engine.Build.Dockerfile;

/// <summary>"did you mean X?": the closest option within two edits, as BuildKit suggests.</summary>
internal static class Suggestions
{
    public static string? Closest(string value, IEnumerable<string> options, bool caseSensitive)
    {
        var v = caseSensitive ? value : value.ToLowerInvariant();
        string? match = null;
        int best = 3;
        foreach (var option in options)
        {
            var o = caseSensitive ? option : option.ToLowerInvariant();
            if (o == v) return null;
            int d = Distance(v, o);
            if (d < best)
            {
                best = d;
                match = caseSensitive ? option : MatchCase(o, value);
            }
        }
        return match;
    }

    private static string MatchCase(string option, string original) =>
        original == original.ToLowerInvariant() ? option.ToLowerInvariant()
        : original == original.ToUpperInvariant() ? option.ToUpperInvariant()
        : option;

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) >= 3) return 3;
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
