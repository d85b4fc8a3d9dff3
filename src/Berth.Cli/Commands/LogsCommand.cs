using System.Globalization;
using System.Text;
using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Containers;
using Berth.Engine.Util;

namespace Berth.Cli.Commands;

/// <summary><c>berth logs</c>: a container's json-file log, its stdout and stderr on ours.</summary>
internal static class LogsCommand
{
    public static readonly CommandSpec Spec = new("logs", "Fetch the logs of a container", Run)
    {
        Usage = "[OPTIONS] CONTAINER",
        MinArgs = 1,
        MaxArgs = 1,
        Options =
        [
            OptionSpec.Flag("follow", 'f', "Follow log output"),
            OptionSpec.Value("tail", 'n', "Number of lines to show from the end of the logs", "string", "\"all\""),
            OptionSpec.Flag("timestamps", 't', "Show timestamps"),
            OptionSpec.Value("since", "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)"),
            OptionSpec.Value("until", "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)"),
            OptionSpec.Flag("details", "Show extra details provided to logs"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        var c = service.Get(a.Arg(0));
        var path = service.Paths(c.Id).Log;
        int? tail = a.Value("tail") is { } t && t != "all"
            ? int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new UsageException($"invalid value for --tail: \"{t}\"", a.CommandPath)
            : null;
        var since = a.Value("since") is { } s ? ParseTime(s) : (DateTimeOffset?)null;
        var until = a.Value("until") is { } u ? ParseTime(u) : (DateTimeOffset?)null;
        bool timestamps = a.Flag("timestamps");
        using var stdout = Console.OpenStandardOutput();
        using var stderr = Console.OpenStandardError();
        ctx.Out.Flush();
        void Emit(LogEntry e)
        {
            if (until is { } end && e.Time > end) return;
            var stream = e.Stream == "stderr" ? stderr : stdout;
            if (timestamps) stream.Write(Encoding.ASCII.GetBytes(e.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z' ", CultureInfo.InvariantCulture)));
            stream.Write(e.Line);
        }
        long offset = File.Exists(path) ? new FileInfo(path).Length : 0;
        foreach (var e in JsonLogReader.Read(path, tail, since)) Emit(e);
        stdout.Flush();
        if (!a.Flag("follow")) return 0;
        foreach (var e in JsonLogReader.Follow(path, offset, () => service.Find(c.Id) is { Running: true }, CancellationToken.None))
        {
            if (since is null || e.Time >= since) Emit(e);
            stdout.Flush();
        }
        return 0;
    }

    private static DateTimeOffset ParseTime(string s)
    {
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t;
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var unix)) return DateTimeOffset.FromUnixTimeSeconds(unix);
        try { return DateTimeOffset.UtcNow - Units.ParseDuration(s); }
        catch (BerthException) { throw new BerthException($"invalid value for \"since\": failed to parse value as time or duration: \"{s}\""); }
    }
}
