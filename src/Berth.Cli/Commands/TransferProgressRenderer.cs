using System.Diagnostics;
using Berth.Cli.Output;
using Berth.Engine.Distribution;

namespace Berth.Cli.Commands;

/// <summary>
/// Shows push and pull progress as docker does. On a terminal: one line per layer, redrawn in place
/// (at most ten times a second), with a bar, bytes and speed while the layer moves. Otherwise: one
/// plain line per status change (<c>abc123: Pull complete</c>). Quiet: nothing.
/// </summary>
internal sealed class TransferProgressRenderer : IProgress<TransferEvent>
{
    private const int BarWidth = 40;
    private static readonly long RedrawTicks = Stopwatch.Frequency / 10;

    private readonly TextWriter _out;
    private readonly bool _terminal;
    private readonly bool _quiet;
    private readonly List<string> _order = [];
    private readonly Dictionary<string, TransferEvent> _last = [];
    private readonly Dictionary<string, (long Bytes, long Ticks)> _started = [];
    private readonly Lock _lock = new();
    private int _drawn;
    private long _lastDraw;

    public TransferProgressRenderer(TextWriter output, bool terminal, bool quiet)
    {
        _out = output;
        _terminal = terminal;
        _quiet = quiet;
    }

    public void Report(TransferEvent e)
    {
        if (_quiet) return;
        lock (_lock)
        {
            bool known = _last.TryGetValue(e.Id, out var previous);
            if (known && previous!.IsFinal) return;
            if (!known) _order.Add(e.Id);
            _last[e.Id] = e;
            if (e.IsMoving && (!_started.TryGetValue(e.Id, out var s) || s.Bytes > e.Current))
                _started[e.Id] = (e.Current, Stopwatch.GetTimestamp());
            if (!_terminal)
            {
                if (!e.IsMoving && e.Status is not (TransferStatus.Preparing or TransferStatus.Waiting))
                {
                    _out.Write($"{e.Id}: {e.Text}\n");
                    _out.Flush();
                }
                return;
            }
            long now = Stopwatch.GetTimestamp();
            if (e.IsMoving && known && previous!.Status == e.Status && now - _lastDraw < RedrawTicks) return;
            Redraw(now);
        }
    }

    /// <summary>Draws the final state and forgets it (call before printing the summary lines).</summary>
    public void Finish()
    {
        lock (_lock)
        {
            if (_terminal && !_quiet && _order.Count > 0) Redraw(Stopwatch.GetTimestamp());
            _drawn = 0;
            _order.Clear();
            _last.Clear();
            _started.Clear();
        }
    }

    private void Redraw(long now)
    {
        _lastDraw = now;
        if (_drawn > 0) _out.Write($"\x1b[{_drawn}A");
        foreach (var id in _order) _out.Write("\x1b[2K" + Line(_last[id], now) + "\n");
        _drawn = _order.Count;
        _out.Flush();
    }

    private string Line(TransferEvent e, long now)
    {
        if (!e.IsMoving || e.Total <= 0 || e.Status == TransferStatus.Extracting) return $"{e.Id}: {e.Text}";
        double fraction = Math.Clamp((double)e.Current / e.Total, 0, 1);
        int filled = (int)(fraction * BarWidth);
        var bar = new string('=', filled) + (filled < BarWidth ? ">" + new string(' ', BarWidth - filled - 1) : "");
        var speed = "";
        if (_started.TryGetValue(e.Id, out var s))
        {
            double seconds = (double)(now - s.Ticks) / Stopwatch.Frequency;
            if (seconds > 0.2) speed = "  " + Display.Size((long)((e.Current - s.Bytes) / seconds)) + "/s";
        }
        return $"{e.Id}: {e.Text,-11} [{bar}] {Display.Size(e.Current),8}/{Display.Size(e.Total)}{speed}";
    }
}
