namespace Berth.Engine.Build.Dockerfile;

/// <summary>One instruction's text: physical lines joined at escape-newlines, comments dropped.</summary>
internal sealed record LogicalLine(string Text, int StartLine, int EndLine, int Column);

/// <summary>
/// Turns a Dockerfile's physical lines into logical lines the way BuildKit's parser does: parser
/// directives first, then comment lines skipped, a trailing escape character joining the next line
/// (comment lines and blank lines inside a continuation are skipped, the latter with a warning),
/// leading whitespace of an instruction dropped. Here-document bodies are read on request.
/// </summary>
internal sealed class LineReader
{
    private readonly string _file;
    private readonly List<string> _raw = [];
    private int _next;
    private readonly DirectiveReader _directives = new();

    public List<string> Lines { get; } = [];
    public List<DockerfileWarning> Warnings { get; } = [];
    public ParserDirectives Directives => _directives.Directives;
    /// <summary>Number of the last physical line consumed.</summary>
    public int CurrentLine => _next;

    public LineReader(string text, string file)
    {
        _file = file;
        if (text.StartsWith('\uFEFF')) text = text[1..];
        int start = 0;
        while (start < text.Length)
        {
            int nl = text.IndexOf('\n', start);
            int end = nl < 0 ? text.Length : nl + 1;
            _raw.Add(text[start..end]);
            Lines.Add(TrimNewline(text[start..end]));
            start = end;
        }
    }

    public LogicalLine? Next()
    {
        while (_next < _raw.Count)
        {
            int lineNo = ++_next;
            var line = Lines[lineNo - 1];
            int indent = 0;
            while (indent < line.Length && char.IsWhiteSpace(line[indent])) indent++;
            line = line[indent..];
            if (_directives.Read(line, out var error) || error is not null)
            {
                if (error is not null) throw new DockerfileSyntaxException(new SourceLocation(_file, lineNo, 1), error, Lines[lineNo - 1]);
                continue;
            }
            if (IsComment(line)) continue;

            var (text, ended) = TrimContinuation(line);
            if (ended && text.Length == 0) continue;
            var sb = new System.Text.StringBuilder(text);
            bool emptyContinuation = false;
            while (!ended && _next < _raw.Count)
            {
                var cont = Lines[_next++];
                if (IsComment(cont)) continue;
                if (cont.AsSpan().TrimStart().Length == 0)
                {
                    emptyContinuation = true;
                    continue;
                }
                (cont, ended) = TrimContinuation(cont);
                sb.Append(cont);
            }
            var logical = sb.ToString();
            if (emptyContinuation)
                Warnings.Add(new DockerfileWarning(new SourceLocation(_file, _next, 1), "NoEmptyContinuation",
                    "empty continuation line found in: " + logical.Trim() + " (empty continuation lines will become errors; remove them or the trailing escape)"));
            return new LogicalLine(logical, lineNo, _next, indent + 1);
        }
        return null;
    }

    /// <summary>
    /// Reads a here-document body: the physical lines after the current one up to the line that is
    /// exactly <paramref name="name"/> (after leading tabs with <c>&lt;&lt;-</c>). Null at end of file.
    /// </summary>
    public string? ReadHeredocBody(string name, bool chomp)
    {
        var content = new System.Text.StringBuilder();
        while (_next < _raw.Count)
        {
            var raw = _raw[_next++];
            var candidate = Lines[_next - 1];
            if (chomp) candidate = candidate.TrimStart('\t');
            if (candidate == name) return content.ToString();
            content.Append(raw);
        }
        return null;
    }

    private static string TrimNewline(string s) => s.TrimEnd('\r', '\n');

    private static bool IsComment(string line)
    {
        var t = line.AsSpan().TrimStart();
        return t.Length > 0 && t[0] == '#';
    }

    /// <summary>
    /// A line ending in the escape character (then only spaces or tabs), not itself escaped,
    /// continues on the next line; the escape and what follows it are removed.
    /// </summary>
    private (string Text, bool Ended) TrimContinuation(string line)
    {
        char escape = _directives.Directives.Escape;
        var t = line.TrimEnd(' ', '\t');
        if (t.Length == 0 || t[^1] != escape) return (line, true);
        if (t.Length == 1) return ("", false);
        if (t[^2] == escape) return (line, true);
        return (t[..^1], false);
    }
}
