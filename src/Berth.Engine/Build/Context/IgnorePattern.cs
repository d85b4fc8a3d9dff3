namespace Berth.Engine.Build.Context;

/// <summary>
/// One cleaned ignore pattern, compiled the way moby/patternmatcher compiles it: Go
/// <c>filepath.Match</c> syntax (<c>*</c> and <c>?</c> never cross <c>/</c>, <c>[...]</c> classes,
/// <c>\</c> escapes) plus <c>**</c> for any number of directories. A pattern that is plain text is
/// an exact match, <c>text**</c> a prefix match and <c>**text</c> a suffix match (docker's fast
/// paths, whose slightly looser results are kept); anything else runs a small NFA, so no pattern
/// can make matching backtrack.
/// </summary>
public sealed class IgnorePattern
{
    private enum MatchKind { Exact, Prefix, Suffix, Automaton }
    private enum TokenKind { Literal, One, Star, AnyDirs, AnyRest, Class }

    private readonly record struct Token(TokenKind Kind, char Char = '\0', ClassSet? Class = null);

    /// <summary>A bracket expression: ranges, maybe negated.</summary>
    private sealed record ClassSet((char Lo, char Hi)[] Ranges, bool Negated)
    {
        public bool Contains(char c)
        {
            bool inRanges = false;
            foreach (var (lo, hi) in Ranges)
                if (c >= lo && c <= hi) { inRanges = true; break; }
            return inRanges != Negated;
        }
    }

    private readonly MatchKind _kind;
    private readonly Token[] _tokens;

    /// <summary>The cleaned pattern, without its leading <c>!</c>.</summary>
    public string Text { get; }
    /// <summary>A <c>!pattern</c>: re-includes what earlier patterns excluded.</summary>
    public bool IsException { get; }

    private IgnorePattern(string text, bool isException, MatchKind kind, Token[] tokens)
    {
        Text = text;
        IsException = isException;
        _kind = kind;
        _tokens = tokens;
    }

    public override string ToString() => IsException ? "!" + Text : Text;

    /// <summary>Compiles a cleaned pattern; throws <see cref="BerthException"/> on bad syntax.</summary>
    internal static IgnorePattern Compile(string text, bool isException)
    {
        var tokens = new List<Token>();
        var kind = MatchKind.Exact;
        int i = 0;
        for (int step = 0; i < text.Length; step++)
        {
            char c = text[i++];
            switch (c)
            {
                case '*' when i < text.Length && text[i] == '*':
                    i++;
                    if (i < text.Length && text[i] == '/') i++;
                    if (i == text.Length)
                    {
                        if (kind == MatchKind.Exact) kind = MatchKind.Prefix;
                        else kind = MatchKind.Automaton;
                        tokens.Add(new Token(TokenKind.AnyRest));
                    }
                    else
                    {
                        kind = MatchKind.Automaton;
                        tokens.Add(new Token(TokenKind.AnyDirs));
                    }
                    if (step == 0) kind = MatchKind.Suffix;
                    break;
                case '*':
                    kind = MatchKind.Automaton;
                    tokens.Add(new Token(TokenKind.Star));
                    break;
                case '?':
                    kind = MatchKind.Automaton;
                    tokens.Add(new Token(TokenKind.One));
                    break;
                case '\\':
                    if (i == text.Length) throw Bad(text);
                    kind = MatchKind.Automaton;
                    tokens.Add(new Token(TokenKind.Literal, text[i++]));
                    break;
                case '[':
                    kind = MatchKind.Automaton;
                    tokens.Add(new Token(TokenKind.Class, Class: ParseClass(text, ref i)));
                    break;
                default:
                    if (c == ']') kind = MatchKind.Automaton;
                    tokens.Add(new Token(TokenKind.Literal, c));
                    break;
            }
        }
        return new IgnorePattern(text, isException, kind, [.. tokens]);
    }

    /// <summary>Go's <c>[^a-z\]]</c>: optional <c>^</c>, then at least one char or range, then <c>]</c>.</summary>
    private static ClassSet ParseClass(string text, ref int i)
    {
        bool negated = i < text.Length && text[i] == '^';
        if (negated) i++;
        var ranges = new List<(char, char)>();
        while (true)
        {
            if (i < text.Length && text[i] == ']' && ranges.Count > 0)
            {
                i++;
                return new ClassSet([.. ranges], negated);
            }
            char lo = ClassChar(text, ref i), hi = lo;
            if (i < text.Length && text[i] == '-')
            {
                i++;
                hi = ClassChar(text, ref i);
                if (hi < lo) throw Bad(text);
            }
            ranges.Add((lo, hi));
        }
    }

    private static char ClassChar(string text, ref int i)
    {
        if (i >= text.Length || text[i] is '-' or ']') throw Bad(text);
        if (text[i] == '\\')
        {
            i++;
            if (i >= text.Length) throw Bad(text);
        }
        char c = text[i++];
        if (i >= text.Length) throw Bad(text); // a class must be closed
        return c;
    }

    private static BerthException Bad(string text) =>
        new($"invalid ignore pattern \"{text}\": syntax error in pattern (check [...] classes and trailing \\)");

    /// <summary>Whether the whole slash-separated <paramref name="path"/> matches.</summary>
    public bool Matches(string path) => _kind switch
    {
        MatchKind.Exact => path == Text,
        MatchKind.Prefix => path.StartsWith(Text.AsSpan(0, Text.Length - 2), StringComparison.Ordinal),
        MatchKind.Suffix => SuffixMatches(path),
        _ => Run(path, out _),
    };

    private bool SuffixMatches(string path)
    {
        var suffix = Text[2..];
        if (path.EndsWith(suffix, StringComparison.Ordinal)) return true;
        return suffix.Length > 0 && suffix[0] == '/' && path == suffix[1..];
    }

    /// <summary>
    /// Whether some path strictly below directory <paramref name="dir"/> could match: lets a walker
    /// skip an excluded directory that no exception can reach into.
    /// </summary>
    public bool CouldMatchBelow(string dir)
    {
        var prefix = dir + "/";
        switch (_kind)
        {
            case MatchKind.Exact: return Text.StartsWith(prefix, StringComparison.Ordinal);
            case MatchKind.Prefix:
                var p = Text[..^2];
                return prefix.StartsWith(p, StringComparison.Ordinal) || p.StartsWith(prefix, StringComparison.Ordinal);
            case MatchKind.Suffix: return true;
            default:
                Run(prefix, out var states);
                return states is not null && states.Any(s => s);
        }
    }

    // ---- the automaton: state 2k is "at token k", 2k+1 is "inside the **/ of token k" ----

    /// <summary>Feeds <paramref name="text"/>; true when the final state is reached at its end.</summary>
    private bool Run(string text, out bool[]? states)
    {
        int n = _tokens.Length;
        var cur = new bool[2 * (n + 1)];
        cur[0] = true;
        Close(cur);
        foreach (char c in text)
        {
            var next = new bool[cur.Length];
            bool any = false;
            for (int k = 0; k < n; k++)
            {
                bool at = cur[2 * k], inside = cur[2 * k + 1];
                if (!at && !inside) continue;
                var t = _tokens[k];
                switch (t.Kind)
                {
                    case TokenKind.Literal when at && c == t.Char: next[2 * (k + 1)] = any = true; break;
                    case TokenKind.One when at && c != '/': next[2 * (k + 1)] = any = true; break;
                    case TokenKind.Class when at && t.Class!.Contains(c): next[2 * (k + 1)] = any = true; break;
                    case TokenKind.Star when at && c != '/': next[2 * k] = any = true; break;
                    case TokenKind.AnyRest when at && c != '\n': next[2 * k] = any = true; break;
                    case TokenKind.AnyDirs when c != '\n':
                        next[2 * k + 1] = any = true;
                        if (c == '/') next[2 * (k + 1)] = true;
                        break;
                }
            }
            if (!any)
            {
                states = null;
                return false;
            }
            Close(next);
            cur = next;
        }
        states = cur;
        return cur[2 * n];
    }

    /// <summary>Tokens that may match nothing (*, **, **/) let their state through to the next token.</summary>
    private void Close(bool[] states)
    {
        for (int k = 0; k < _tokens.Length; k++)
            if (states[2 * k] && _tokens[k].Kind is TokenKind.Star or TokenKind.AnyRest or TokenKind.AnyDirs)
                states[2 * (k + 1)] = true;
    }
}
