using System.Text;
using Berth.Cli.CommandLine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

/// <summary><c>compose logs [-f]</c>: every container's log, each line prefixed with the container's name.</summary>
internal static class ComposeLogsCommand
{
    public static readonly CommandSpec Spec = new("logs", "View output from containers", Run)
    {
        Usage = "[OPTIONS] [SERVICE...]",
        Options =
        [
            OptionSpec.Flag("follow", 'f', "Follow log output"),
            OptionSpec.Flag("no-log-prefix", "Don't print prefix in logs"),
            OptionSpec.Value("tail", 'n', "Number of lines to show from the end of the logs for each container", "string", "\"all\""),
            .. ComposeCli.ProjectOptions,
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var project = ComposeCli.ProjectName(ctx, a);
        int? tail = a.Value("tail") is { } t && t != "all" && int.TryParse(t, out var n) ? n : null;
        var list = ComposeCli.Containers(ctx, project, a.Args);
        var service = ContainerCli.Service(ctx);
        int width = list.Select(c => c.Name.Length).DefaultIfEmpty(0).Max();
        bool prefix = !a.Flag("no-log-prefix");
        var offsets = new Dictionary<string, long>();
        foreach (var c in list)
        {
            var path = service.Paths(c.Id).Log;
            offsets[c.Id] = File.Exists(path) ? new FileInfo(path).Length : 0;
            foreach (var e in JsonLogReader.Read(path, tail)) Write(ctx, prefix ? c.Name.PadRight(width) + "  | " : "", e.Line);
        }
        ctx.Out.Flush();
        return a.Flag("follow") ? Follow(ctx, project, a.Args, offsets) : 0;
    }

    private static void Write(CliContext ctx, string prefix, byte[] line)
    {
        ctx.Out.Write(prefix);
        ctx.Out.Write(Encoding.UTF8.GetString(line));
    }

    /// <summary>Follows every container of the project (new replicas included) until interrupted.</summary>
    public static int Follow(CliContext ctx, string project, IReadOnlyList<string> services, Dictionary<string, long>? offsets = null)
    {
        offsets ??= [];
        var service = ContainerCli.Service(ctx);
        using var stop = new CancellationTokenSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        while (!stop.IsCancellationRequested)
        {
            var list = ComposeCli.Containers(ctx, project, services);
            int width = list.Select(c => c.Name.Length).DefaultIfEmpty(0).Max();
            foreach (var c in list)
            {
                var path = service.Paths(c.Id).Log;
                if (!File.Exists(path)) continue;
                long from = offsets.GetValueOrDefault(c.Id);
                using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (f.Length <= from) continue;
                f.Seek(from, SeekOrigin.Begin);
                using var reader = new StreamReader(f);
                string? line;
                long consumed = from;
                while ((line = reader.ReadLine()) is not null)
                {
                    if (reader.EndOfStream && !line.EndsWith('}')) break;
                    consumed += Encoding.UTF8.GetByteCount(line) + 1;
                    if (JsonLogReader.Parse(line) is { } e) Write(ctx, c.Name.PadRight(width) + "  | ", e.Line);
                }
                offsets[c.Id] = consumed;
            }
            ctx.Out.Flush();
            if (list.Count > 0 && list.All(c => !c.Running)) break;
            stop.Token.WaitHandle.WaitOne(200);
        }
        return 0;
    }
}
