using System.Globalization;
using System.Threading.Channels;

namespace Berth.Registry.Http;

/// <summary>
/// One line per request, in the combined log format plus the time taken. Lines go through a
/// channel to one writer task, so a slow terminal or disk never holds up a request.
/// </summary>
public sealed class AccessLog : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private readonly TextWriter _out;
    private readonly bool _ownsWriter;
    private readonly Task _pump;

    public AccessLog(TextWriter output, bool ownsWriter)
    {
        _out = output;
        _ownsWriter = ownsWriter;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>The log for an <c>--access-log</c> value: <c>-</c> (stdout), <c>off</c>, or a file.</summary>
    public static AccessLog? Open(string target) => target switch
    {
        "off" or "" => null,
        "-" => new AccessLog(new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false }, true),
        _ => new AccessLog(new StreamWriter(new FileStream(target, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)), true),
    };

    public void Write(string remote, string? user, string method, string target, string protocol, int status, long bytes, string? userAgent, TimeSpan elapsed)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{remote} - {user ?? "-"} [{DateTimeOffset.Now:dd/MMM/yyyy:HH:mm:ss zzz}] \"{method} {target} {protocol}\" {status} {bytes} \"{userAgent ?? "-"}\" {elapsed.TotalMilliseconds:0.###}ms");
        _lines.Writer.TryWrite(line);
    }

    private async Task PumpAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var line)) await _out.WriteLineAsync(line).ConfigureAwait(false);
            await _out.FlushAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
        if (_ownsWriter) await _out.DisposeAsync().ConfigureAwait(false);
    }
}
