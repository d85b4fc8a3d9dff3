using Berth.Cli.CommandLine;
using Berth.Engine.Util;
using Berth.Registry.Storage;

namespace Berth.Cli.Commands;

internal static class RegistryGcCommand
{
    public static readonly CommandSpec Spec = new("gc", "Delete blobs no manifest references (safe while the registry serves)", Run)
    {
        Options =
        [
            OptionSpec.Value("root", "Directory of the registry's data", "string", "\"<berth root>/registry\""),
            OptionSpec.Flag("dry-run", "Print what would be deleted, delete nothing"),
            OptionSpec.Flag("delete-untagged", "Also delete manifests that no tag reaches"),
            OptionSpec.Value("grace", "Keep what was pushed within this time before the collection began", "duration", "10m"),
            OptionSpec.Value("upload-max-age", "Purge upload sessions idle for longer than this", "duration", "24h"),
        ],
        MaxArgs = 0,
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var root = a.Value("root") ?? RegistryCommand.DefaultRoot(ctx);
        if (!Directory.Exists(Path.Combine(root, "blobs")))
            throw new Berth.Engine.BerthException($"{root} is not a registry root (no blobs/ directory): pass the --root the registry serves");
        var options = new GcOptions
        {
            DryRun = a.Flag("dry-run"),
            DeleteUntagged = a.Flag("delete-untagged"),
            Grace = a.Value("grace") is { } g ? Units.ParseDuration(g) : TimeSpan.FromMinutes(10),
            UploadMaxAge = a.Value("upload-max-age") is { } u ? Units.ParseDuration(u) : TimeSpan.FromHours(24),
        };
        var storage = new RegistryStorage(root);
        var report = new GarbageCollector(storage, line => ctx.Out.WriteLine(line)).Run(options);
        var verb = options.DryRun ? "would delete" : "deleted";
        ctx.Out.WriteLine($"{report.Repositories} repositories, {report.BlobsKept} blobs kept; {verb} {report.BlobsDeleted} blobs ({Units.HumanSize(report.BytesFreed)}), {report.ManifestsDeleted} manifests, {report.UploadsPurged} stale uploads");
        return 0;
    }
}
