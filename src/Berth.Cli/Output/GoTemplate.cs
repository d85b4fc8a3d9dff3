using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Engine;

namespace Berth.Cli.Output;

/// <summary>
/// The part of Go's text/template that docker's <c>--format</c> users write: <c>{{.Field.Sub}}</c>,
/// pipelines with <c>|</c>, the functions json, index, join, upper, lower, title, len, printf,
/// println, split, truncate, and <c>{{range}}</c> / <c>{{if}}</c> / <c>{{else}}</c> / <c>{{end}}</c>.
/// Data is a JSON tree, so every command formats the same objects it prints with <c>--format json</c>.
/// </summary>
public sealed class GoTemplate
{
    private abstract record Node;
    private sealed record TextNode(string Text) : Node;
    private sealed record ActionNode(string Pipeline) : Node;
    private sealed record IfNode(string Pipeline, List<Node> Then, List<Node> Else) : Node;
    private sealed record RangeNode(string Pipeline, List<Node> Body, List<Node> Else) : Node;

    private readonly List<Node> _root;

    private GoTemplate(List<Node> root) => _root = root;

    public static GoTemplate Parse(string template)
    {
        var tokens = Tokenize(template);
        int pos = 0;
        var root = ParseList(tokens, ref pos, out var end);
        if (end is not null) throw new BerthException($"template: unexpected {{{{{end}}}}}");
        return new GoTemplate(root);
    }

    public string Render(JsonNode? data)
    {
        var sb = new StringBuilder();
        Exec(_root, data, sb);
        return sb.ToString();
    }

    // ------------------------------------------------------------ parsing

    private static List<(bool Action, string Text)> Tokenize(string s)
    {
        var list = new List<(bool, string)>();
        int i = 0;
        while (i < s.Length)
        {
            int open = s.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0) { list.Add((false, s[i..])); break; }
            var text = s[i..open];
            int close = s.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0) throw new BerthException("template: unclosed action (missing }})");
            var inner = s[(open + 2)..close];
            if (inner.StartsWith('-')) { text = text.TrimEnd(); inner = inner[1..]; }
            bool trimAfter = inner.EndsWith('-');
            if (trimAfter) inner = inner[..^1];
            if (text.Length > 0) list.Add((false, text));
            list.Add((true, inner.Trim()));
            i = close + 2;
            if (trimAfter) while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
        }
        return list;
    }

    private static List<Node> ParseList(List<(bool Action, string Text)> tokens, ref int pos, out string? end)
    {
        var nodes = new List<Node>();
        while (pos < tokens.Count)
        {
            var (action, text) = tokens[pos++];
            if (!action) { nodes.Add(new TextNode(text)); continue; }
            if (text is "end" or "else") { end = text; return nodes; }
            if (text.StartsWith("/*", StringComparison.Ordinal)) continue;
            var ifPipeline = Keyword(text, "if");
            var rangePipeline = Keyword(text, "range");
            if (ifPipeline is not null || rangePipeline is not null)
            {
                bool isIf = ifPipeline is not null;
                var pipeline = ifPipeline ?? rangePipeline!;
                var body = ParseList(tokens, ref pos, out var stop);
                var other = new List<Node>();
                if (stop == "else") other = ParseList(tokens, ref pos, out stop);
                if (stop != "end") throw new BerthException($"template: missing {{{{end}}}} for {{{{{text}}}}}");
                nodes.Add(isIf ? new IfNode(pipeline, body, other) : new RangeNode(pipeline, body, other));
                continue;
            }
            nodes.Add(new ActionNode(text));
        }
        end = null;
        return nodes;
    }

    private static string? Keyword(string text, string word) =>
        text == word ? "" : text.StartsWith(word + " ", StringComparison.Ordinal) ? text[(word.Length + 1)..].Trim() : null;

    // ------------------------------------------------------------ execution

    private static void Exec(List<Node> nodes, JsonNode? dot, StringBuilder sb)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode t: sb.Append(t.Text); break;
                case ActionNode a: sb.Append(Print(Eval(a.Pipeline, dot))); break;
                case IfNode i: Exec(Truthy(Eval(i.Pipeline, dot)) ? i.Then : i.Else, dot, sb); break;
                case RangeNode r:
                    var v = Eval(r.Pipeline, dot);
                    var items = v switch
                    {
                        JsonArray arr => arr.ToList(),
                        JsonObject obj => obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToList(),
                        _ => [],
                    };
                    if (items.Count == 0) Exec(r.Else, dot, sb);
                    foreach (var item in items) Exec(r.Body, item, sb);
                    break;
            }
        }
    }

    private static object? Eval(string pipeline, JsonNode? dot)
    {
        object? value = null;
        bool first = true;
        foreach (var stage in SplitOutside(pipeline, '|'))
        {
            var words = Words(stage.Trim());
            if (words.Count == 0) throw new BerthException($"template: empty command in \"{pipeline}\"");
            var args = new List<object?>();
            for (int k = 1; k < words.Count; k++) args.Add(Operand(words[k], dot));
            if (!first) args.Add(value);
            value = words[0].StartsWith('.') || words[0].StartsWith('"') || words[0] == "$"
                ? (args.Count == 0 ? Operand(words[0], dot) : throw new BerthException($"template: can't give argument to non-function {words[0]}"))
                : Call(words[0], args);
            first = false;
        }
        return value;
    }

    private static object? Operand(string word, JsonNode? dot)
    {
        if (word.StartsWith('"')) return JsonSerializer.Deserialize(word, TemplateJson.Default.String);
        if (word == "." || word == "$") return dot;
        if (word.StartsWith('.'))
        {
            JsonNode? cur = dot;
            foreach (var field in word[1..].Split('.'))
            {
                if (cur is not JsonObject obj) return null;
                if (!obj.TryGetPropertyValue(field, out cur))
                {
                    var match = obj.FirstOrDefault(p => string.Equals(p.Key, field, StringComparison.OrdinalIgnoreCase));
                    if (match.Key is null) throw new BerthException($"template: can't evaluate field {field}");
                    cur = match.Value;
                }
            }
            return cur;
        }
        if (long.TryParse(word, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
        if (word is "true" or "false") return word == "true";
        throw new BerthException($"template: function \"{word}\" not defined or bad operand");
    }

    private static object? Call(string name, List<object?> args)
    {
        string Arg(int i) => i < args.Count ? Print(args[i]) : throw new BerthException($"template: {name} needs more arguments");
        return name switch
        {
            "json" => args.Count == 1 ? ToJson(args[0]) : throw new BerthException("template: json takes one argument"),
            "upper" => Arg(0).ToUpperInvariant(),
            "lower" => Arg(0).ToLowerInvariant(),
            "title" => Arg(0).Length == 0 ? "" : char.ToUpperInvariant(Arg(0)[0]) + Arg(0)[1..],
            "len" => args.FirstOrDefault() switch
            {
                JsonArray a => (long)a.Count,
                JsonObject o => (long)o.Count,
                var v => (long)Print(v).Length,
            },
            "index" => Index(args),
            "join" => args.FirstOrDefault() is JsonArray ja ? string.Join(Arg(1), ja.Select(Print)) : Arg(0),
            "split" => new JsonArray(Arg(0).Split(Arg(1)).Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            "truncate" => Arg(0).Length > int.Parse(Arg(1), CultureInfo.InvariantCulture) ? Arg(0)[..int.Parse(Arg(1), CultureInfo.InvariantCulture)] : Arg(0),
            "println" => string.Join(' ', args.Select(Print)) + "\n",
            "print" => string.Concat(args.Select(Print)),
            "printf" => Printf(Arg(0), args.Skip(1).ToList()),
            "pad" => Arg(0).PadRight(int.Parse(Arg(1), CultureInfo.InvariantCulture)),
            _ => throw new BerthException($"template: function \"{name}\" not defined"),
        };
    }

    private static object? Index(List<object?> args)
    {
        object? cur = args.FirstOrDefault();
        foreach (var key in args.Skip(1))
        {
            cur = (cur, key) switch
            {
                (JsonObject o, _) => o.TryGetPropertyValue(Print(key), out var v) ? v : null,
                (JsonArray a, long i) when i >= 0 && i < a.Count => a[(int)i],
                _ => null,
            };
        }
        return cur;
    }

    private static string Printf(string format, List<object?> args)
    {
        var sb = new StringBuilder();
        int a = 0;
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length) { sb.Append(format[i]); continue; }
            char verb = format[++i];
            if (verb == '%') { sb.Append('%'); continue; }
            var arg = a < args.Count ? args[a++] : null;
            sb.Append(verb == 'q' ? JsonSerializer.Serialize(Print(arg), TemplateJson.Default.String) : Print(arg));
        }
        return sb.ToString();
    }

    private static string ToJson(object? v) => v switch
    {
        null => "null",
        JsonNode n => n.ToJsonString(),
        string s => JsonSerializer.Serialize(s, TemplateJson.Default.String),
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => Print(v),
    };

    /// <summary>How Go prints a value: strings bare, maps as map[k:v], lists as [a b], null as &lt;no value&gt;.</summary>
    public static string Print(object? v) => v switch
    {
        null => "<no value>",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        JsonValue jv when jv.TryGetValue<string>(out var s) => s,
        JsonValue jv when jv.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue jv => jv.ToJsonString(),
        JsonArray arr => "[" + string.Join(' ', arr.Select(Print)) + "]",
        JsonObject obj => "map[" + string.Join(' ', obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + ":" + Print(p.Value))) + "]",
        _ => v.ToString() ?? "",
    };

    private static bool Truthy(object? v) => v switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        JsonValue jv when jv.TryGetValue<bool>(out var b) => b,
        JsonValue jv when jv.TryGetValue<string>(out var s) => s.Length > 0,
        JsonValue jv when jv.TryGetValue<double>(out var d) => d != 0,
        JsonArray a => a.Count > 0,
        JsonObject o => o.Count > 0,
        _ => true,
    };

    private static List<string> SplitOutside(string s, char sep)
    {
        var parts = new List<string>();
        var cur = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '"' && (i == 0 || s[i - 1] != '\\')) quoted = !quoted;
            if (c == sep && !quoted) { parts.Add(cur.ToString()); cur.Clear(); continue; }
            cur.Append(c);
        }
        parts.Add(cur.ToString());
        return parts;
    }

    private static List<string> Words(string s)
    {
        var words = new List<string>();
        var cur = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '"' && (i == 0 || s[i - 1] != '\\')) quoted = !quoted;
            if (char.IsWhiteSpace(c) && !quoted)
            {
                if (cur.Length > 0) { words.Add(cur.ToString()); cur.Clear(); }
                continue;
            }
            cur.Append(c);
        }
        if (cur.Length > 0) words.Add(cur.ToString());
        return words;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class TemplateJson : System.Text.Json.Serialization.JsonSerializerContext;
