using System.Text;
using Berth.Engine.Build.Execution;

namespace Berth.Cli.Output;

/// <summary>
/// <c>--progress plain</c>: the classic builder's lines (<c>Step 2/7 : RUN make</c>,
/// <c> ---> Using cache</c>, the RUN's output, <c> ---> 3f1c2a9b0d4e</c>). Stages of one wave run
/// concurrently; the earliest unfinished stage prints live and the others are held back until it
/// is done, so the output reads as if the stages had run one after the other.
/// </summary>
internal sealed class BuildProgressPlain(TextWriter output) : IBuildProgress
{
    private readonly object _lock = new();
    private readonly Dictionary<int, StringBuilder> _held = [];
    private readonly HashSet<int> _done = [];
    private readonly Dictionary<int, Decoder> _decoders = [];
    private int _current;
    private bool _midLine;

    public void Started(IReadOnlyList<string> stages) { }

    public void StepStarted(BuildStep step) => Line(step.StageOrdinal, $"Step {step.Number}/{step.Total} : {step.Text}");
    public void CacheHit(BuildStep step) => Line(step.StageOrdinal, " ---> Using cache");
    public void Running(BuildStep step, string containerId) => Line(step.StageOrdinal, " ---> Running in " + containerId);
    public void Removed(BuildStep step, string containerId) => Line(step.StageOrdinal, "Removing intermediate container " + containerId);

    public void StepDone(BuildStep step, string? imageId)
    {
        if (imageId is not null) Line(step.StageOrdinal, " ---> " + imageId);
    }

    public void Output(BuildStep step, ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (!_decoders.TryGetValue(step.StageOrdinal, out var decoder)) _decoders[step.StageOrdinal] = decoder = new UTF8Encoding(false).GetDecoder();
            var chars = new char[decoder.GetCharCount(data, flush: false)];
            decoder.GetChars(data, chars, flush: false);
            Write(step.StageOrdinal, new string(chars));
        }
    }

    public void StageDone(int stageOrdinal)
    {
        lock (_lock)
        {
            _done.Add(stageOrdinal);
            while (_done.Contains(_current))
            {
                _current++;
                if (_held.Remove(_current, out var text)) Emit(text.ToString());
            }
            output.Flush();
        }
    }

    public void Message(string line)
    {
        lock (_lock) Emit((_midLine ? "\n" : "") + line + "\n");
    }

    private void Line(int stage, string text)
    {
        lock (_lock) Write(stage, text + "\n", line: true);
    }

    private void Write(int stage, string text, bool line = false)
    {
        if (stage != _current)
        {
            if (!_held.TryGetValue(stage, out var sb)) _held[stage] = sb = new StringBuilder();
            if (line && sb.Length > 0 && sb[^1] != '\n') sb.Append('\n');
            sb.Append(text);
            return;
        }
        if (line && _midLine) text = "\n" + text;
        Emit(text);
        if (line) output.Flush();
    }

    private void Emit(string text)
    {
        if (text.Length == 0) return;
        output.Write(text);
        _midLine = text[^1] != '\n';
    }
}
