using System.Text.Json.Nodes;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine.Images;

namespace Berth.Cli.Commands;

internal static class HistoryCommand
{
    public static readonly CommandSpec Spec = new("history", "Show the history of an image", Run)
    {
        Usage = "[OPTIONS] IMAGE",
        MinArgs = 1,
        MaxArgs = 1,
        Options =
        [
            OptionSpec.Value("format", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"),
            OptionSpec.Flag("human", 'H', "Print sizes and dates in human readable format (default true)"),
            OptionSpec.Flag("no-trunc", "Don't truncate output"),
            OptionSpec.Flag("quiet", 'q', "Only show image IDs"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var store = ctx.Root.Images;
        var image = store.Resolve(a.Arg(0));
        var rows = ImageHistory.Of(image, store.ReadConfig(image), ctx.Root.Snapshots);
        bool noTrunc = a.Flag("no-trunc");
        bool human = !a.Has("human") || a.Flag("human");

        if (a.Flag("quiet"))
        {
            foreach (var r in rows) ctx.Out.Write((r.ImageId is { } id ? Display.Id(id, noTrunc) : "<missing>") + "\n");
            return 0;
        }
        string Created(HistoryRow r) => human ? Display.Ago(r.Created) : Display.Rfc3339(r.Created);
        string Size(HistoryRow r) => human ? Display.Size(r.Size) : r.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string By(HistoryRow r) => noTrunc ? r.CreatedBy : Display.Ellipsis(r.CreatedBy.Replace('\t', ' ').Replace('\n', ' '), 45);

        var json = rows.Select(r => new JsonObject
        {
            ["Comment"] = r.Comment,
            ["CreatedAt"] = Display.Rfc3339(r.Created),
            ["CreatedBy"] = By(r),
            ["CreatedSince"] = Display.Ago(r.Created),
            ["ID"] = r.ImageId is { } id ? Display.Id(id, noTrunc) : "<missing>",
            ["Size"] = Size(r),
        }).ToList();
        Formatter.WriteRows(ctx.Out, a.Value("format"), json, () =>
        {
            var table = new Table("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
            foreach (var r in rows)
                table.Add(r.ImageId is { } id ? Display.Id(id, noTrunc) : "<missing>", Created(r), By(r), Size(r), r.Comment);
            table.Write(ctx.Out);
        }, new Dictionary<string, string> { ["ID"] = "IMAGE", ["CreatedSince"] = "CREATED" });
        return 0;
    }
}
