using System.Text.Json.Nodes;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine.Events;

namespace Berth.Cli.Commands;

/// <summary><c>berth events</c>: container and network events as they happen (docker's shape), from the state
/// root's event log; streams until interrupted, or until --until.</summary>
internal static class EventsCommand
{
    public static readonly CommandSpec Spec = new("events", "Get real time events from berth", Run)
    {
        MaxArgs = 0,
        Options =
        [
            OptionSpec.List("filter", 'f', "Filter output based on conditions provided (type, event, container, image, label, network)", "filter"),
            OptionSpec.Value("format", "Format output using a custom template: 'json', or a Go template"),
            OptionSpec.Value("since", "Show all events created since timestamp"),
            OptionSpec.Value("until", "Stream events until this timestamp"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var now = DateTimeOffset.UtcNow;
        long? since = a.Value("since") is { } s ? EventLog.ParseTime(s, now) : null;
        long? until = a.Value("until") is { } u ? EventLog.ParseTime(u, now) : null;
        var filter = EventFilter.Parse(a.Values("filter"));
        var format = a.Value("format");
        GoTemplate? template = format is null or "json" ? null : GoTemplate.Parse(format.Replace("\\t", "\t").Replace("\\n", "\n"));
        new EventReader(EventLog.For(ctx.Root)).Read(since, until, follow: true, (e, line) =>
        {
            if (!filter.Matches(e)) return;
            var text = format == "json" ? line : template is not null ? template.Render(JsonNode.Parse(line)!.AsObject()) : e.ToText();
            ctx.Out.Write(text + "\n");
            ctx.Out.Flush();
        });
        return 0;
    }
}
