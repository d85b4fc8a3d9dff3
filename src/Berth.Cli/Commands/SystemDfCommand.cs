using System.Text.Json.Nodes;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary>One row of <c>system df</c>: a kind of object, how many, how many in use, their size, what could go.</summary>
internal sealed record DiskUsageRow(string Type, int Total, int Active, long Size, long Reclaimable);

internal static class SystemDfCommand
{
    /// <summary>Each domain that holds disk reports its row here.</summary>
    public static readonly IReadOnlyList<Func<CliContext, DiskUsageRow>> Sources =
    [
        ImagesUsage,
    ];

    public static readonly CommandSpec Spec = new("df", "Show berth disk usage", Run)
    {
        MaxArgs = 0,
        Options =
        [
            OptionSpec.Value("format", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"),
            OptionSpec.Flag("verbose", 'v', "Show detailed information on space usage"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var rows = Sources.Select(s => s(ctx)).ToList();
        string Reclaim(DiskUsageRow r) =>
            r.Size == 0 ? Display.DiskSize(r.Reclaimable) : $"{Display.DiskSize(r.Reclaimable)} ({r.Reclaimable * 100 / r.Size}%)";
        var json = rows.Select(r => new JsonObject
        {
            ["Active"] = r.Active.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Reclaimable"] = Reclaim(r),
            ["Size"] = Display.DiskSize(r.Size),
            ["TotalCount"] = r.Total.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Type"] = r.Type,
        }).ToList();
        Formatter.WriteRows(ctx.Out, a.Value("format"), json, () =>
        {
            var t = new Table("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
            foreach (var r in rows) t.Add(r.Type, r.Total.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Active.ToString(System.Globalization.CultureInfo.InvariantCulture), Display.DiskSize(r.Size), Reclaim(r));
            t.Write(ctx.Out);
        }, new Dictionary<string, string> { ["TotalCount"] = "TOTAL" });
        return 0;
    }

    private static DiskUsageRow ImagesUsage(CliContext ctx)
    {
        var images = ctx.Root.Images.List();
        var users = ctx.Root.ImageUsers;
        var snapshots = ctx.Root.Snapshots.Walk();
        var active = images.Where(i => users.UsersOf(i.Id).Count > 0).ToList();
        // Unique bytes on disk: each committed layer snapshot once, however many images share it.
        var chains = images.SelectMany(i => i.Layers).Select(l => l.ChainId.ToString()).ToHashSet();
        long total = snapshots.Where(s => chains.Contains(s.Key)).Sum(s => s.Size ?? 0);
        var activeChains = active.SelectMany(i => i.Layers).Select(l => l.ChainId.ToString()).ToHashSet();
        long used = snapshots.Where(s => activeChains.Contains(s.Key)).Sum(s => s.Size ?? 0);
        return new DiskUsageRow("Images", images.Count, active.Count, total, total - used);
    }
}
