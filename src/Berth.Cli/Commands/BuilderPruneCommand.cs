using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine;
using Berth.Engine.Build.Execution.Run;
using Berth.Engine.Util;

namespace Berth.Cli.Commands;

/// <summary><c>berth builder prune</c>: forget build cache entries, then remove the layers and snapshots nothing else uses.</summary>
internal static class BuilderPruneCommand
{
    public static readonly CommandSpec Spec = new("prune", "Remove build cache", Run)
    {
        MaxArgs = 0,
        Options =
        [
            OptionSpec.Flag("all", 'a', "Remove all build cache (the same as without it: berth keeps no shared cache mounts apart)"),
            OptionSpec.List("filter", "Provide filter values (e.g. \"until=24h\": entries not used for that long; RUN cache mounts stay)", "filter"),
            OptionSpec.Flag("force", 'f', "Do not prompt for confirmation"),
        ],
    };

    public static readonly CommandSpec Group = new("builder", "Manage builds")
    {
        Subcommands = [BuildCommand.Spec, Spec],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        DateTimeOffset? unusedSince = null;
        foreach (var f in a.Values("filter"))
        {
            if (!f.StartsWith("until=", StringComparison.Ordinal)) throw new BerthException($"invalid filter '{f}': use until=<duration>");
            unusedSince = DateTimeOffset.UtcNow - Units.ParseDuration(f[6..]);
        }
        if (!a.Flag("force") && !Prompt.Confirm(ctx, "WARNING! This will remove all dangling build cache.")) return 0;
        int entries;
        long mounts = 0;
        using (Berth.Engine.Util.FileLock.Exclusive(ctx.Root.LockPath))
        {
            entries = ctx.Root.BuildCache.Delete(unusedSince);
            if (unusedSince is null)
            {
                mounts = CacheMounts.DeleteAll(ctx.Root);
                new Berth.Engine.Build.Cache.FileSums(ctx.Root.Db, new object()).Clear();
            }
        }
        var collected = ctx.Root.ImageGarbage.Collect();
        ctx.Out.Write($"Deleted build cache entries: {entries}\n");
        ctx.Out.Write($"Total reclaimed space: {Display.Size(collected.BytesFreed + mounts)}\n");
        return 0;
    }
}
