using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

internal static class ContainerPruneCommand
{
    public static readonly CommandSpec Spec = new("prune", "Remove all stopped containers", Run)
    {
        MaxArgs = 0,
        Options =
        [
            OptionSpec.Flag("force", 'f', "Do not prompt for confirmation"),
            OptionSpec.List("filter", "Provide filter values (e.g. 'until=<timestamp>', 'label=<key>=<value>')", "filter"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        var keep = PruneFilter(a.Values("filter"));
        if (!a.Flag("force") && !Confirm(ctx, "WARNING! This will remove all stopped containers.")) return 0;
        long reclaimed = 0;
        var sizes = service.List().Where(c => !c.Running).ToDictionary(c => c.Id, c => service.Snapshots.Stat(c.SnapshotKey) is null ? 0 : service.Snapshots.Usage(c.SnapshotKey).Size);
        var removed = new ContainerLifecycle(service).Prune(keep);
        if (removed.Count > 0)
        {
            ctx.Out.Write("Deleted Containers:\n");
            foreach (var id in removed)
            {
                ctx.Out.Write(id + "\n");
                reclaimed += sizes.GetValueOrDefault(id);
            }
            ctx.Out.Write("\n");
        }
        ctx.Out.Write($"Total reclaimed space: {Display.Size(reclaimed)}\n");
        return 0;
    }

    private static Func<Container, bool> PruneFilter(IReadOnlyList<string> specs)
    {
        var tests = new List<Func<Container, bool>>();
        foreach (var spec in specs)
        {
            int eq = spec.IndexOf('=');
            if (eq <= 0) throw new BerthException($"bad format of filter (expected name=value): {spec}");
            var (key, value) = (spec[..eq], spec[(eq + 1)..]);
            switch (key)
            {
                case "until":
                    var cutoff = DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
                        ? t : DateTimeOffset.UtcNow - Engine.Util.Units.ParseDuration(value);
                    tests.Add(c => c.Created < cutoff);
                    break;
                case "label" or "label!":
                    int e2 = value.IndexOf('=');
                    bool negate = key == "label!";
                    tests.Add(c => negate ^ (e2 < 0 ? c.Spec.Labels.ContainsKey(value) : c.Spec.Labels.TryGetValue(value[..e2], out var v) && v == value[(e2 + 1)..]));
                    break;
                default: throw new BerthException($"invalid filter '{key}': use until or label");
            }
        }
        return c => tests.All(t => t(c));
    }

    internal static bool Confirm(CliContext ctx, string warning)
    {
        ctx.Out.Write(warning + "\nAre you sure you want to continue? [y/N] ");
        ctx.Out.Flush();
        var answer = Console.In.ReadLine();
        return answer is not null && answer.Trim().ToLowerInvariant() is "y" or "yes";
    }
}
