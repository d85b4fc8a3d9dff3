using System.Globalization;
using System.Text;

namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// Recognises here-document openers (<c>[n]&lt;&lt;[-]WORD</c>) in an instruction line, as BuildKit
/// does: the line is cut into shell words keeping quotes, and each word of that shape opens one
/// document. A quoted WORD (any part of it) means the body is not expanded.
/// </summary>
internal static class HeredocSyntax
{
    private static readonly ShellLexer NameLexer = new('\\') { SkipUnsetEnv = true };
    private static readonly ShellLexer RawNameLexer = new('\\') { SkipUnsetEnv = true, RawQuotes = true };
    private static readonly ShellLexer LineLexer = new('\\') { RawQuotes = true, RawEscapes = true, SkipUnsetEnv = true };

    /// <summary>The here-documents a line opens, in order (bodies not yet read).</summary>
    public static List<Heredoc> FindInLine(string line)
    {
        var docs = new List<Heredoc>();
        IReadOnlyList<string> words;
        try { words = LineLexer.ProcessWords(line, null); }
        catch (ShellExpansionException) { return docs; }
        foreach (var word in words)
            if (TryParse(word, out var doc, throwOnError: true)) docs.Add(doc);
        return docs;
    }

    /// <summary>Whether <paramref name="word"/> is a here-document opener such as <c>&lt;&lt;-"EOF"</c>.</summary>
    public static bool IsHeredoc(string word, out Heredoc doc) => TryParse(word, out doc, throwOnError: false);

    private static bool TryParse(string word, out Heredoc doc, bool throwOnError)
    {
        doc = null!;
        int i = 0;
        while (i < word.Length && char.IsAsciiDigit(word[i])) i++;
        var digits = word[..i];
        if (i + 1 >= word.Length || word[i] != '<' || word[i + 1] != '<') return false;
        i += 2;
        bool chomp = i < word.Length && word[i] == '-';
        if (chomp) i++;
        while (i < word.Length && word[i] is ' ' or '\t' or '\n' or '\f' or '\r') i++;
        var rest = word[i..];
        if (rest.Contains('<') || rest.Length == 0) return false;

        IReadOnlyList<string> plain, raw;
        try
        {
            plain = NameLexer.ProcessWords(rest, null);
            if (plain.Count != 1) return false;
            raw = RawNameLexer.ProcessWords(rest, null);
        }
        catch (ShellExpansionException e)
        {
            if (throwOnError) throw new ShellExpansionException($"invalid here-document word {rest}: {e.Message}");
            return false;
        }
        if (raw.Count != 1) return false;
        bool expand = QuoteCount(plain[0]) == QuoteCount(raw[0]);
        int fd = uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= int.MaxValue ? (int)n : 0;
        doc = new Heredoc(plain[0], "", expand, chomp, fd);
        return true;
    }

    private static int QuoteCount(string s) => s.Count(c => c is '\'' or '"');

    /// <summary>Removes the tabs that start each line (the <c>&lt;&lt;-</c> form).</summary>
    public static string StripLeadingTabs(string content)
    {
        var sb = new StringBuilder(content.Length);
        bool lineStart = true;
        foreach (var c in content)
        {
            if (lineStart && c == '\t') continue;
            lineStart = c == '\n';
            sb.Append(c);
        }
        return sb.ToString();
    }
}
