using System.Text.Json.Nodes;
using Berth.Engine;

namespace Berth.Cli.Output;

/// <summary>
/// docker's <c>--format</c> contract for list commands: empty = the default table, <c>json</c> = one JSON
/// object per line, <c>table TEMPLATE</c> = a table with headers, anything else = a Go template per row.
/// </summary>
public static class Formatter
{
    public static void WriteRows(TextWriter w, string? format, IReadOnlyList<JsonObject> rows, Action defaultTable,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        if (string.IsNullOrEmpty(format) || format == "table") { defaultTable(); return; }
        if (format == "json")
        {
            foreach (var r in rows) w.Write(r.ToJsonString() + "\n");
            return;
        }
        var text = format.Replace("\\t", "\t").Replace("\\n", "\n");
        bool table = text.StartsWith("table", StringComparison.Ordinal);
        if (table) text = text[5..].Trim(' ');
        var template = GoTemplate.Parse(text);
        var lines = rows.Select(r => template.Render(r)).ToList();
        if (!table)
        {
            foreach (var l in lines) w.Write(l + "\n");
            return;
        }
        var header = HeaderFor(text, headers);
        var cells = new List<string[]> { header.Split('\t') };
        cells.AddRange(lines.Select(l => l.Split('\t')));
        int columns = cells.Max(c => c.Length);
        var widths = new int[columns];
        foreach (var row in cells)
            for (int c = 0; c < row.Length; c++) widths[c] = Math.Max(widths[c], row[c].Length);
        foreach (var row in cells)
        {
            var line = string.Concat(row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c] + 3)));
            w.Write(line.TrimEnd() + "\n");
        }
    }

    /// <summary>The header row of a table template: each {{.Field}} replaced by its column title.</summary>
    private static string HeaderFor(string template, IReadOnlyDictionary<string, string>? headers)
    {
        var sb = new System.Text.StringBuilder();
        int i = 0;
        while (i < template.Length)
        {
            int open = template.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0) { sb.Append(template[i..]); break; }
            sb.Append(template[i..open]);
            int close = template.IndexOf("}}", open, StringComparison.Ordinal);
            if (close < 0) break;
            var inner = template[(open + 2)..close].Trim();
            var field = inner.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(w => w.StartsWith('.')) ?? inner;
            var name = field.TrimStart('.');
            sb.Append(headers is not null && headers.TryGetValue(name, out var h) ? h : ToHeader(name));
            i = close + 2;
        }
        return sb.ToString();
    }

    private static string ToHeader(string field)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < field.Length; i++)
        {
            if (i > 0 && char.IsUpper(field[i]) && char.IsLower(field[i - 1])) sb.Append(' ');
            sb.Append(char.ToUpperInvariant(field[i]));
        }
        return sb.ToString();
    }

    /// <summary>For inspect -f: the template applied to each object, one output per object.</summary>
    public static void WriteEach(TextWriter w, string format, IEnumerable<JsonNode> items)
    {
        var template = GoTemplate.Parse(format.Replace("\\t", "\t").Replace("\\n", "\n"));
        foreach (var item in items) w.Write(template.Render(item) + "\n");
    }
}
