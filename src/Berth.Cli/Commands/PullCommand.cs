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
        var results = Pull(ctx, ctx.Out, ctx.StdoutIsTerminal, registries, reference, options, quiet, all, cts.Token);
        if (all) ctx.Out.Write(reference.Repository + "\n");
        return results.Count > 0 ? 0 : 1;
    }

    /// <summary>
    /// Pulls with docker's output: <c>TAG: Pulling from REPO</c>, the layers, <c>Digest:</c>, <c>Status:</c>
    /// and the full reference. <c>run</c> calls this for an image it does not have.
    /// </summary>
    internal static IReadOnlyList<PullResult> Pull(CliContext ctx, TextWriter output, bool terminal, Registries registries, ImageReference reference,
        PullOptions options, bool quiet, bool allTags, CancellationToken ct, bool printReference = true)
    {
        var renderer = new TransferProgressRenderer(output, terminal, quiet);
        var puller = new Puller(ctx.Root, registries, renderer);
        options = options with { Starting = Starting };
        var results = new List<PullResult>();
        void Starting(ImageReference r)
        {
            if (quiet) return;
            output.Write($"{(object?)r.Tag ?? r.Digest}: Pulling from {PathAsDocker(r)}\n");
            output.Flush();
        }
        void Done(PullResult r)
        {
            renderer.Finish();
            if (quiet) { if (!allTags && printReference) output.Write(r.Reference + "\n"); return; }
            output.Write($"Digest: {r.Digest}\n");
            var name = r.Reference.Familiar;
            output.Write(r.Downloaded ? $"Status: Downloaded newer image for {name}\n" : $"Status: Image is up to date for {name}\n");
            if (!allTags && printReference) output.Write(r.Reference + "\n");
            output.Flush();
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

    /// <summary>
    /// For run and create: the image, pulled first when it is not here, as docker does
    /// (<c>Unable to find image 'x' locally</c>, then the pull's output, all on stderr so stdout stays the container's).
    /// </summary>
    internal static Berth.Engine.Images.ImageRecord EnsureImage(CliContext ctx, string image, Platform? platform = null, bool quiet = false, bool always = false)
    {
        if (!always && ctx.Root.Images.Find(image) is { } found) return found;
        if (!ImageReference.TryParse(image, out var reference)) throw new NotFoundException($"No such image: {image}");
        if (!always) ctx.Err.WriteLine($"Unable to find image '{reference.Familiar}' locally");
        using var cts = RegistryAccess.CancelOnCtrlC();
        using var registries = Registries.Default();
        var result = Pull(ctx, ctx.Err, !Console.IsErrorRedirected, registries, reference,
            new PullOptions { Platform = platform ?? Platform.Default }, quiet, allTags: false, cts.Token, printReference: false);
        return result[0].Image;
    }

    /// <summary>docker names the repository without its registry: <c>library/busybox</c>, <c>app</c>.</summary>
    private static string PathAsDocker(ImageReference r) => r.Path;
}
