namespace Berth.Engine.Compose;

/// <summary>
/// <c>.env</c> and <c>env_file</c> files: <c>KEY=VALUE</c> lines, <c>#</c> comments, an optional
/// <c>export </c> prefix, single quotes literal, double quotes with <c>\n</c> escapes, unquoted values
/// trimmed and cut at <c> #</c>. A line with only a key takes the value from <paramref name="lookup"/>.
/// </summary>
public static class DotEnv
{
    public static List<KeyValuePair<string, string?>> Parse(string text, string file, Func<string, string?> lookup)
    {
        var list = new List<KeyValuePair<string, string?>>();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line[7..].TrimStart();
            int eq = line.IndexOf('=');
            var key = (eq < 0 ? line : line[..eq]).Trim();
            if (key.Length == 0 || key.Any(char.IsWhiteSpace))
                throw new BerthException($"{file}:{n + 1}: invalid line \"{lines[n].Trim()}\": use KEY=VALUE");
            if (eq < 0) { list.Add(new(key, lookup(key))); continue; }
            list.Add(new(key, Value(line[(eq + 1)..].Trim())));
        }
        return list;
    }

    private static string Value(string raw)
    {
        if (raw.Length >= 2 && raw[0] == '\'' && raw.IndexOf('\'', 1) is var sq and > 0) return raw[1..sq];
        if (raw.Length >= 2 && raw[0] == '"')
        {
            var sb = new System.Text.StringBuilder();
            for (int i = 1; i < raw.Length; i++)
            {
                char c = raw[i];
                if (c == '"') break;
                if (c == '\\' && i + 1 < raw.Length)
                {
                    char e = raw[++i];
                    sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => e });
                    continue;
                }
                sb.Append(c);
            }
            return sb.ToString();
        }
        int hash = raw.IndexOf(" #", StringComparison.Ordinal);
        return (hash >= 0 ? raw[..hash] : raw).Trim();
    }
}
