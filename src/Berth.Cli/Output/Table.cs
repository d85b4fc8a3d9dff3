using System.Text;

namespace Berth.Cli.Output;

/// <summary>Columns padded like docker's tabwriter (minimum gap of three spaces), header in capitals.</summary>
public sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public int Count => _rows.Count;

    public void Write(TextWriter w)
    {
        var widths = new int[headers.Length];
        for (int c = 0; c < headers.Length; c++)
        {
            widths[c] = headers[c].Length;
            foreach (var r in _rows) widths[c] = Math.Max(widths[c], r[c].Length);
        }
        var sb = new StringBuilder();
        WriteRow(sb, headers, widths);
        foreach (var r in _rows) WriteRow(sb, r, widths);
        w.Write(sb.ToString());
    }

    private static void WriteRow(StringBuilder sb, string[] cells, int[] widths)
    {
        for (int c = 0; c < cells.Length; c++)
        {
            if (c == cells.Length - 1) sb.Append(cells[c]);
            else sb.Append(cells[c].PadRight(widths[c] + 3));
        }
        sb.Append('\n');
    }
}
