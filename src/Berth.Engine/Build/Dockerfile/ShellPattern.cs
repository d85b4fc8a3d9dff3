using System.Text;

namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// The glob of <c>${VAR#pattern}</c>, <c>${VAR%pattern}</c> and <c>${VAR/pattern/repl}</c>: <c>*</c> any
/// run of characters, <c>?</c> one character (neither crosses a newline), <c>\*</c>, <c>\?</c>, <c>\\</c>
/// literal, <c>\}</c> and <c>\/</c> the bare character. Matched by a small NFA, so no input backtracks.
/// </summary>
internal sealed class ShellPattern
{
    private enum Kind { Literal, One, Star }
    private readonly record struct Token(Kind Kind, char Char);

    private readonly Token[] _tokens;

    private ShellPattern(Token[] tokens) => _tokens = tokens;

    public static ShellPattern Compile(string pattern)
    {
        var tokens = new List<Token>();
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '*': tokens.Add(new Token(Kind.Star, c)); break;
                case '?': tokens.Add(new Token(Kind.One, c)); break;
                case '\\':
                    if (i + 1 < pattern.Length && pattern[i + 1] is '}' or '/') break; // the escape only hid it from ${}
                    if (i + 1 >= pattern.Length || pattern[i + 1] is not ('*' or '?' or '\\'))
                    {
                        var what = i + 1 < pattern.Length ? pattern[i + 1].ToString() : "";
                        throw new ShellExpansionException($"invalid pattern ({pattern}) in substitution: invalid escape '\\{what}'");
                    }
                    tokens.Add(new Token(Kind.Literal, pattern[++i]));
                    break;
                default: tokens.Add(new Token(Kind.Literal, c)); break;
            }
        }
        return new ShellPattern([.. tokens]);
    }

    /// <summary>Removes the shortest (or longest) prefix of <paramref name="value"/> the pattern matches.</summary>
    public string TrimPrefix(string value, bool longest)
    {
        var ends = MatchEnds(value, 0);
        if (ends.Count == 0) return value;
        return value[(longest ? ends.Max() : ends.Min())..];
    }

    /// <summary>Removes the shortest (or longest) suffix of <paramref name="value"/> the pattern matches.</summary>
    public string TrimSuffix(string value, bool longest)
    {
        int best = -1;
        for (int start = value.Length; start >= 0; start--)
        {
            if (!MatchEnds(value, start).Contains(value.Length)) continue;
            if (!longest) return value[..start];
            best = start;
        }
        return best < 0 ? value : value[..best];
    }

    /// <summary>Replaces the first (or every) leftmost-longest match, as Go's regexp does.</summary>
    public string Replace(string value, string replacement, bool all)
    {
        var sb = new StringBuilder();
        int lastEnd = 0, search = 0;
        bool replaced = false;
        while (search <= value.Length && !(replaced && !all))
        {
            var (start, end) = FindFrom(value, search);
            if (start < 0) break;
            sb.Append(value, lastEnd, start - lastEnd);
            // An empty match right after a previous match is not replaced again.
            if (end > lastEnd || start == 0) sb.Append(replacement);
            lastEnd = end;
            replaced = true;
            search = search + 1 > end ? search + 1 : end;
        }
        sb.Append(value, lastEnd, value.Length - lastEnd);
        return sb.ToString();
    }

    private (int Start, int End) FindFrom(string value, int from)
    {
        for (int start = from; start <= value.Length; start++)
        {
            var ends = MatchEnds(value, start);
            if (ends.Count > 0) return (start, ends.Max());
        }
        return (-1, -1);
    }

    /// <summary>Every index e such that value[start..e] matches the whole pattern.</summary>
    private List<int> MatchEnds(string value, int start)
    {
        var ends = new List<int>();
        var states = new bool[_tokens.Length + 1];
        states[0] = true;
        Close(states);
        for (int pos = start; ; pos++)
        {
            if (states[_tokens.Length]) ends.Add(pos);
            if (pos == value.Length) break;
            char c = value[pos];
            var next = new bool[_tokens.Length + 1];
            bool any = false;
            for (int i = 0; i < _tokens.Length; i++)
            {
                if (!states[i]) continue;
                var t = _tokens[i];
                switch (t.Kind)
                {
                    case Kind.Literal when c == t.Char: next[i + 1] = any = true; break;
                    case Kind.One when c != '\n': next[i + 1] = any = true; break;
                    case Kind.Star when c != '\n': next[i] = any = true; break;
                }
            }
            if (!any) break;
            Close(next);
            states = next;
        }
        return ends;
    }

    /// <summary>A star may match nothing: whoever reaches it also reaches the token after it.</summary>
    private void Close(bool[] states)
    {
        for (int i = 0; i < _tokens.Length; i++)
            if (states[i] && _tokens[i].Kind == Kind.Star) states[i + 1] = true;
    }
}
