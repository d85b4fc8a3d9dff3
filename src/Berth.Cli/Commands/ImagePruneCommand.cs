using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine.Images;
using Berth.Engine.Util;

namespace Berth.Cli.Commands;

internal static class ImagePruneCommand
{
    public static readonly CommandSpec Spec = new("prune", "Remove unused images", Run)
    {
        MaxArgs = 0,
        Options =
        [
            OptionSpec.Flag("all", 'a', "Remove all unused images, not just dangling ones"),
            OptionSpec.List("filter", "Provide filter values (e.g. \"until=24h\", \"label=k=v\")", "filter"),
            OptionSpec.Flag("force", 'f', "Do not prompt for confirmation"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        bool all = a.Flag("all");
        var warning = all
            ? "WARNING! This will remove all images without at least one container associated to them."
            : "WARNING! This will remove all dangling images.";
        if (!a.Flag("force") && !Prompt.Confirm(ctx, warning)) return 0;

        DateTimeOffset? until = null;
        var labels = new List<string>();
        foreach (var f in a.Values("filter"))
        {
            if (f.StartsWith("until=", StringComparison.Ordinal))
                until = DateTimeOffset.TryParse(f[6..], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
                    ? t : DateTimeOffset.UtcNow - Units.ParseDuration(f[6..]);
            else if (f.StartsWith("label=", StringComparison.Ordinal)) labels.Add(f);
            else throw new Engine.BerthException($"invalid filter '{f}': use until= or label=");
        }

        var store = ctx.Root.Images;
        var users = ctx.Root.ImageUsers;
        var labelFilter = ImageFilters.Parse(labels, store);
        var lines = new List<string>();
        foreach (var image in store.List())
        {
            if (!all && image.Tags.Count > 0) continue;
            if (until is { } u && !((image.Created ?? image.Added) < u)) continue;
            if (!labelFilter.MatchesImage(image) || users.UsersOf(image.Id).Count > 0) continue;
            foreach (var t in image.Tags) lines.Add($"untagged: {t.Familiar}");
            foreach (var d in image.RepoDigests) lines.Add($"untagged: {d.Familiar}");
            store.Delete(image.Id);
            lines.Add($"deleted: {image.Id}");
        }
        var collected = ctx.Root.ImageGarbage.Collect();
        if (lines.Count > 0)
        {
            ctx.Out.Write("Deleted Images:\n");
            foreach (var l in lines) ctx.Out.Write(l + "\n");
            ctx.Out.Write("\n");
        }
        ctx.Out.Write($"Total reclaimed space: {Display.Size(collected.BytesFreed)}\n");
        return 0;
    }
}

/// <summary>docker's "Are you sure you want to continue? [y/N]" on stdin.</summary>
internal static class Prompt
{
    public static bool Confirm(CliContext ctx, string warning)
    {
        ctx.Out.Write(warning + "\nAre you sure you want to continue? [y/N] ");
        ctx.Out.Flush();
        var answer = Console.In.ReadLine()?.Trim().ToLowerInvariant();
        return answer is "y" or "yes";
    }
}
