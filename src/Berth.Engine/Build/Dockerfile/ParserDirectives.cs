namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// The <c># syntax=</c>, <c># escape=</c> and <c># check=</c> comments at the top of a Dockerfile.
/// They count only before the first other line (comment, blank line or instruction).
/// </summary>
public sealed record ParserDirectives
{
    public string? Syntax { get; init; }
    /// <summary>The escape and line-continuation character: <c>\</c> (default) or <c>`</c>.</summary>
    public char Escape { get; init; } = '\\';
    /// <summary>The raw <c>check</c> value (<c>skip=...;error=true</c>).</summary>
    public string? Check { get; init; }
}

/// <summary>Reads directives line by line until the first line that is not one.</summary>
internal sealed class DirectiveReader
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private bool _done;

    public ParserDirectives Directives { get; private set; } = new();

    /// <summary>
    /// Looks at one line (newline and leading whitespace removed). Returns true when it is a
    /// directive; <paramref name="error"/> is set when it is one but not a valid one.
    /// </summary>
    public bool Read(string line, out string? error)
    {
        error = null;
        if (_done) return false;
        if (!line.StartsWith('#'))
        {
            _done = true;
            return false;
        }
        var body = line[1..].TrimStart();
        if (!TryMatch(body, out var key, out var value) || key is not ("syntax" or "escape" or "check"))
        {
            _done = true;
            return false;
        }
        if (!_seen.Add(key))
        {
            error = $"only one {key} parser directive can be used: remove the second one";
            return false;
        }
        switch (key)
        {
            case "escape":
                if (value is not ("`" or "\\"))
                {
                    error = $"invalid escape token '{value}' does not match ` or \\";
                    return false;
                }
                Directives = Directives with { Escape = value[0] };
                break;
            case "syntax":
                Directives = Directives with { Syntax = value };
                break;
            default:
                Directives = Directives with { Check = value };
                break;
        }
        return true;
    }

    /// <summary><c>name\s*=\s*value</c>, name <c>[A-Za-z][A-Za-z0-9]*</c> (lower-cased), value trimmed on the right.</summary>
    private static bool TryMatch(string body, out string key, out string value)
    {
        key = value = "";
        int i = 0;
        if (body.Length == 0 || !char.IsAsciiLetter(body[0])) return false;
        while (i < body.Length && char.IsAsciiLetterOrDigit(body[i])) i++;
        key = body[..i].ToLowerInvariant();
        while (i < body.Length && IsSpace(body[i])) i++;
        if (i == body.Length || body[i] != '=') return false;
        i++;
        int afterEquals = i;
        while (i < body.Length && IsSpace(body[i])) i++;
        if (i == body.Length)
        {
            // Only whitespace after '=': the pattern still captures its last character.
            if (afterEquals == body.Length) return false;
            value = body[^1].ToString();
            return true;
        }
        value = body[i..].TrimEnd(' ', '\t', '\n', '\f', '\r');
        return true;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\f' or '\r';
}
