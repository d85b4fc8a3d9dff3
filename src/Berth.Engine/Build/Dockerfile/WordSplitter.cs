using System.Text;

namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// The parser's three ways of cutting an instruction's text into words, before any expansion:
/// leading <c>--flags</c>, quote-aware words that keep their quotes (ENV, LABEL, ARG), and plain
/// whitespace fields (FROM, EXPOSE, COPY's shell form).
/// </summary>
internal static class WordSplitter
{
    private enum Phase { Spaces, Word, Quote }

    /// <summary>Words on unquoted whitespace; quotes and escapes stay in the words for later expansion.</summary>
    public static List<string> QuoteAwareWords(string rest, char escape)
    {
        var words = new List<string>();
        var phase = Phase.Spaces;
        char quote = '\0';
        bool blankOk = false;
        var sb = new StringBuilder();
        for (int pos = 0; pos <= rest.Length; pos++)
        {
            char ch = pos < rest.Length ? rest[pos] : '\0';
            if (phase == Phase.Spaces)
            {
                if (pos == rest.Length) break;
                if (char.IsWhiteSpace(ch)) continue;
                phase = Phase.Word;
            }
            if (pos == rest.Length)
            {
                if (blankOk || sb.Length > 0) words.Add(sb.ToString());
                break;
            }
            if (phase == Phase.Word)
            {
                if (char.IsWhiteSpace(ch))
                {
                    phase = Phase.Spaces;
                    if (blankOk || sb.Length > 0) words.Add(sb.ToString());
                    sb.Clear();
                    blankOk = false;
                    continue;
                }
                if (ch is '\'' or '"')
                {
                    quote = ch;
                    blankOk = true;
                    phase = Phase.Quote;
                }
                if (ch == escape)
                {
                    if (pos + 1 == rest.Length) continue; // an escape at the end escapes nothing
                    sb.Append(ch);
                    ch = rest[++pos];
                }
                sb.Append(ch);
                continue;
            }
            // Inside quotes: the escape works except in single quotes.
            if (ch == quote) phase = Phase.Word;
            if (ch == escape && quote != '\'')
            {
                if (pos + 1 == rest.Length)
                {
                    phase = Phase.Word;
                    continue;
                }
                sb.Append(ch);
                ch = rest[++pos];
            }
            sb.Append(ch);
        }
        return words;
    }

    /// <summary>
    /// Takes the leading <c>--flag[=value]</c> words off <paramref name="line"/> (quotes removed,
    /// escapes applied); a bare <c>--</c> ends them. Returns the flags and the rest of the line.
    /// </summary>
    public static (List<string> Flags, string Remainder) ExtractFlags(string line, char escape)
    {
        var flags = new List<string>();
        var phase = Phase.Spaces;
        char quote = '\0';
        bool blankOk = false;
        var sb = new StringBuilder();
        for (int pos = 0; pos <= line.Length; pos++)
        {
            char ch = pos < line.Length ? line[pos] : '\0';
            if (phase == Phase.Spaces)
            {
                if (pos == line.Length) break;
                if (char.IsWhiteSpace(ch)) continue;
                if (ch != '-' || pos + 1 == line.Length || line[pos + 1] != '-') return (flags, line[pos..]);
                phase = Phase.Word;
            }
            if (pos == line.Length)
            {
                var last = sb.ToString();
                if (last != "--" && (blankOk || last.Length > 0)) flags.Add(last);
                break;
            }
            if (phase == Phase.Word)
            {
                if (char.IsWhiteSpace(ch))
                {
                    var word = sb.ToString();
                    phase = Phase.Spaces;
                    if (word == "--") return (flags, line[pos..]);
                    if (blankOk || word.Length > 0) flags.Add(word);
                    sb.Clear();
                    blankOk = false;
                    continue;
                }
                if (ch is '\'' or '"')
                {
                    quote = ch;
                    blankOk = true;
                    phase = Phase.Quote;
                    continue;
                }
                if (ch == escape)
                {
                    if (pos + 1 == line.Length) continue;
                    ch = line[++pos];
                }
                sb.Append(ch);
                continue;
            }
            if (ch == quote)
            {
                phase = Phase.Word;
                continue;
            }
            if (ch == escape)
            {
                if (pos + 1 == line.Length)
                {
                    phase = Phase.Word;
                    continue;
                }
                ch = line[++pos];
            }
            sb.Append(ch);
        }
        return (flags, "");
    }

    /// <summary>Fields separated by runs of space, tab, CR, VT or FF (no quote handling).</summary>
    public static List<string> WhitespaceFields(string rest)
    {
        var fields = new List<string>();
        if (rest.Length == 0) return fields;
        int start = 0;
        for (int i = 0; i <= rest.Length; i++)
        {
            if (i < rest.Length && !IsFieldSeparator(rest[i])) continue;
            fields.Add(rest[start..i]);
            while (i + 1 < rest.Length && IsFieldSeparator(rest[i + 1])) i++;
            start = i + 1;
        }
        return fields;
    }

    /// <summary>Splits at the first run of field separators: the keyword and everything after it.</summary>
    public static (string Head, string Tail) SplitFirst(string text)
    {
        int i = 0;
        while (i < text.Length && !IsFieldSeparator(text[i])) i++;
        if (i == text.Length) return (text, "");
        int j = i;
        while (j < text.Length && IsFieldSeparator(text[j])) j++;
        return (text[..i], text[j..]);
    }

    public static bool IsFieldSeparator(char c) => c is ' ' or '\t' or '\r' or '\v' or '\f';
}
