using System.Diagnostics;
using System.Text;
using Berth.Engine.Build.Execution;

namespace Berth.Cli.Output;

/// <summary>
/// <c>--progress tty</c>: a live view. Finished steps scroll up as one line each (with CACHED or
/// their time); below them every running step shows its elapsed time and its latest output line,
/// redrawn in place ten times a second with plain ANSI cursor movement.
/// </summary>
internal sealed class BuildProgressTty : IBuildProgress, IDisposable
{
    private sealed class Active(BuildStep step)
    {
        public BuildStep Step { get; } = step;
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public bool Cached { get; set; }
        public string LastLine { get; set; } = "";
        public StringBuilder Partial { get; } = new();
    }

    private readonly TextWriter _out;
    private readonly object _lock = new();
    private readonly Dictionary<int, Active> _active = [];
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private readonly Timer _timer;
    private int _drawn;
    private bool _disposed;
    private int _finished;
    private int _steps;

    public BuildProgressTty(TextWriter output)
    {
        _out = output;
        _timer = new Timer(_ => Redraw(), null, 100, 100);
    }

    public void Started(IReadOnlyList<string> stages) { }

    public void StepStarted(BuildStep step)
    {
        lock (_lock)
        {
            _steps = step.Total;
            _active[step.StageOrdinal] = new Active(step);
            DrawLocked();
        }
    }

    public void CacheHit(BuildStep step)
    {
        lock (_lock) if (_active.TryGetValue(step.StageOrdinal, out var a)) a.Cached = true;
    }

    public void Running(BuildStep step, string containerId) { }
    public void Removed(BuildStep step, string containerId) { }

    public void Output(BuildStep step, ReadOnlySpan<byte> data)
    {
        var text = Encoding.UTF8.GetString(data);
        lock (_lock)
        {
            if (!_active.TryGetValue(step.StageOrdinal, out var a)) return;
            foreach (var c in text)
            {
                if (c is '\n' or '\r')
                {
                    if (a.Partial.Length > 0) a.LastLine = a.Partial.ToString();
                    a.Partial.Clear();
                }
                else a.Partial.Append(c);
            }
        }
    }

    public void StepDone(BuildStep step, string? imageId)
    {
        lock (_lock)
        {
            if (!_active.Remove(step.StageOrdinal, out var a)) return;
            _finished++;
            Clear();
            var status = a.Cached ? "CACHED" : $"{a.Clock.Elapsed.TotalSeconds:F1}s";
            _out.Write($" => {Prefix(step)}{step.Text}  {status}\n");
            DrawLocked();
        }
    }

    public void StageDone(int stageOrdinal) { }

    public void Message(string line)
    {
        lock (_lock)
        {
            Clear();
            _out.Write(line + "\n");
            DrawLocked();
        }
    }

    private static string Prefix(BuildStep step) => $"[{step.StageName} {step.Number}/{step.Total}] ";

    private void Redraw()
    {
        lock (_lock)
            if (!_disposed) DrawLocked();
    }

    private void DrawLocked()
    {
        Clear();
        var sb = new StringBuilder();
        sb.Append($"[+] Building {_total.Elapsed.TotalSeconds:F1}s ({_finished}/{_steps})\n");
        int lines = 1;
        foreach (var a in _active.Values.OrderBy(a => a.Step.StageOrdinal))
        {
            sb.Append($" => {Prefix(a.Step)}{Cut(a.Step.Text, 60)}  {a.Clock.Elapsed.TotalSeconds:F1}s\n");
            lines++;
            var last = a.Partial.Length > 0 ? a.Partial.ToString() : a.LastLine;
            if (last.Length > 0)
            {
                sb.Append("    ").Append(Cut(last, 76)).Append('\n');
                lines++;
            }
        }
        _out.Write(sb.ToString());
        _out.Flush();
        _drawn = lines;
    }

    private void Clear()
    {
        if (_drawn == 0) return;
        _out.Write($"\u001b[{_drawn}F\u001b[J");
        _drawn = 0;
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    public void Dispose()
    {
        _timer.Dispose();
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            Clear();
            _out.Write($"[+] Building {_total.Elapsed.TotalSeconds:F1}s ({_finished}/{_steps}) FINISHED\n");
            _out.Flush();
        }
    }
}
