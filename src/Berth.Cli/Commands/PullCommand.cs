using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Distribution;
using Berth.Engine.Oci;

namespace Berth.Cli.Commands;

internal static class PullCommand
{
    public static readonly CommandSpec Spec = new("pull", "Download an image from a registry", Run)
    {
        Usage = "[OPTIONS] NAME[:TAG|@DIGEST]",
        MinArgs = 1,
        MaxArgs = 1,
        Options =
        [
            OptionSpec.Flag("all-tags", 'a', "Download all tagged images in the repository"),
            OptionSpec.Value("platform", "Set platform if server is multi-platform capable (os/arch[/variant]; default linux/amd64)"),
            OptionSpec.Flag("quiet", 'q', "Suppress verbose output"),
            OptionSpec.Value("max-concurrent-downloads", "Layers to download at once", "int", "3"),
            RegistryAccess.InsecureRegistryOption,
            RegistryAccess.ContentTrustOption,
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        bool all = a.Flag("all-tags"), quiet = a.Flag("quiet");
        var reference = all ? ImageReference.ParseNoDefaults(a.Arg(0)) : ImageReference.Parse(a.Arg(0));
        if (all && (reference.Tag is not null || reference.Digest is not null))
            throw new BerthException("tag can't be used with --all-tags/-a");
        var options = new PullOptions
        {
            Platform = a.Value("platform") is { } p ? Platform.Parse(p) : Platform.Default,
            MaxConcurrentDownloads = RegistryAccess.PositiveInt(a, "max-concurrent-downloads", 3),
        };
        using var cts = RegistryAccess.CancelOnCtrlC();
        using var registries = RegistryAccess.Open(a);
        var results = Pull(ctx, registries, reference, options, quiet, all, cts.Token);
        if (all) ctx.Out.Write(reference.Repository + "\n");
        return results.Count > 0 ? 0 : 1;
    }

    /// <summary>
    /// Pulls with docker's output: <c>TAG: Pulling from REPO</c>, the layers, <c>Digest:</c>, <c>Status:</c>
    /// and the full reference. <c>run</c> calls this for an image it does not have.
    /// </summary>
    internal static IReadOnlyList<PullResult> Pull(CliContext ctx, Registries registries, ImageReference reference,
        PullOptions options, bool quiet, bool allTags, CancellationToken ct)
    {
        var renderer = new TransferProgressRenderer(ctx.Out, ctx.StdoutIsTerminal, quiet);
        var puller = new Puller(ctx.Root, registries, renderer);
        options = options with { Starting = Starting };
        var results = new List<PullResult>();
        void Starting(ImageReference r)
        {
            if (quiet) return;
            ctx.Out.Write($"{(object?)r.Tag ?? r.Digest}: Pulling from {PathAsDocker(r)}\n");
            ctx.Out.Flush();
        }
        void Done(PullResult r)
        {
            renderer.Finish();
            if (quiet) { if (!allTags) ctx.Out.Write(r.Reference + "\n"); return; }
            ctx.Out.Write($"Digest: {r.Digest}\n");
            var name = r.Reference.Familiar;
            ctx.Out.Write(r.Downloaded ? $"Status: Downloaded newer image for {name}\n" : $"Status: Image is up to date for {name}\n");
            if (!allTags) ctx.Out.Write(r.Reference + "\n");
            ctx.Out.Flush();
        }
        if (allTags)
        {
            foreach (var r in puller.PullAllTagsAsync(reference, options, ct).GetAwaiter().GetResult()) { results.Add(r); Done(r); }
            return results;
        }
        var result = puller.PullAsync(reference, options, ct).GetAwaiter().GetResult();
        Done(result);
        results.Add(result);
        return results;
    }

    /// <summary>docker names the repository without its registry: <c>library/busybox</c>, <c>app</c>.</summary>
    private static string PathAsDocker(ImageReference r) => r.Path;
}
