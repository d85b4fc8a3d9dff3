using System.Text;

namespace Berth.Engine.Compose;

/// <summary>
/// The compose specification's variable syntax in scalar values: <c>$VAR</c>, <c>${VAR}</c>,
/// <c>${VAR:-default}</c> (unset or empty), <c>${VAR-default}</c> (unset), <c>${VAR:?error}</c>,
/// <c>${VAR?error}</c>, <c>${VAR:+replacement}</c>, <c>${VAR+replacement}</c>, and <c>$$</c> for a literal
/// dollar. Defaults may themselves hold variables. Missing variables become empty strings, as in compose.
/// </summary>
public static class Interpolation
{
    public static string Apply(string text, Func<string, string?> lookup)
    {
        if (!text.Contains('$')) return text;
        var sb = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c != '$' || i + 1 >= text.Length) { sb.Append(c); i++; continue; }
            char next = text[i + 1];
            if (next == '$') { sb.Append('$'); i += 2; continue; }
            if (next == '{')
            {
                int end = ClosingBrace(text, i + 2);
                if (end < 0) throw new FormatException($"invalid interpolation format for \"{text}\": a '${{' has no closing '}}'");
                sb.Append(Braced(text[(i + 2)..end], text, lookup));
                i = end + 1;
                continue;
            }
            if (char.IsAsciiLetter(next) || next == '_')
            {
                int j = i + 1;
                while (j < text.Length && (char.IsAsciiLetterOrDigit(text[j]) || text[j] == '_')) j++;
                sb.Append(lookup(text[(i + 1)..j]) ?? "");
                i = j;
                continue;
            }
            sb.Append(c);
            i++;
        }
        return sb.ToString();
    }

    private static int ClosingBrace(string text, int from)
    {
        int depth = 1;
        for (int i = from; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{') { depth++; i++; }
            else if (text[i] == '}' && --depth == 0) return i;
        }
        return -1;
    }

    private static string Braced(string inner, string whole, Func<string, string?> lookup)
    {
        int n = 0;
        while (n < inner.Length && (char.IsAsciiLetterOrDigit(inner[n]) || inner[n] == '_')) n++;
        var name = inner[..n];
        if (name.Length == 0 || char.IsAsciiDigit(name[0])) throw new FormatException($"invalid interpolation format for \"{whole}\": \"${{{inner}}}\" does not start with a variable name");
        var value = lookup(name);
        if (n == inner.Length) return value ?? "";
        var rest = inner[n..];
        bool colon = rest[0] == ':';
        if (colon) rest = rest[1..];
        if (rest.Length == 0) throw new FormatException($"invalid interpolation format for \"{whole}\": \"${{{inner}}}\"");
        char op = rest[0];
        var arg = rest[1..];
        bool missing = colon ? string.IsNullOrEmpty(value) : value is null;
        return op switch
        {
            '-' => missing ? Apply(arg, lookup) : value!,
            '?' => missing ? throw new FormatException($"required variable {name} is missing a value: {Apply(arg, lookup)}") : value!,
            '+' => missing ? "" : Apply(arg, lookup),
            _ => throw new FormatException($"invalid interpolation format for \"{whole}\": \"${{{inner}}}\""),
        };
    }
}
