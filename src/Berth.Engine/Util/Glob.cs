namespace Berth.Engine.Util;

/// <summary>Go's path.Match: <c>*</c> (not across /), <c>?</c>, <c>[a-z]</c>, <c>[^x]</c>, backslash escapes.</summary>
public static class Glob
{
    public static bool Match(string pattern, string name) => Match(pattern, 0, name, 0);

    private static bool Match(string p, int pi, string s, int si)
    {
        while (pi < p.Length)
        {
            char c = p[pi];
            switch (c)
            {
                case '*':
                    while (pi < p.Length && p[pi] == '*') pi++;
                    if (pi == p.Length) return s.IndexOf('/', si) < 0;
                    for (int k = si; k <= s.Length; k++)
                    {
                        if (Match(p, pi, s, k)) return true;
                        if (k < s.Length && s[k] == '/') return false;
                    }
                    return false;
                case '?':
                    if (si >= s.Length || s[si] == '/') return false;
                    pi++; si++;
                    break;
                case '[':
                    if (si >= s.Length) return false;
                    int end = p.IndexOf(']', pi + 1);
                    if (end < 0) return false;
                    var set = p[(pi + 1)..end];
                    bool negate = set.StartsWith('^') || set.StartsWith('!');
                    if (negate) set = set[1..];
                    bool hit = false;
                    for (int k = 0; k < set.Length; k++)
                    {
                        if (k + 2 < set.Length && set[k + 1] == '-') { hit |= s[si] >= set[k] && s[si] <= set[k + 2]; k += 2; }
                        else hit |= s[si] == set[k];
                    }
                    if (hit == negate) return false;
                    pi = end + 1; si++;
                    break;
                case '\\' when pi + 1 < p.Length:
                    if (si >= s.Length || s[si] != p[pi + 1]) return false;
                    pi += 2; si++;
                    break;
                default:
                    if (si >= s.Length || s[si] != c) return false;
                    pi++; si++;
                    break;
            }
        }
        return si == s.Length;
    }
}
