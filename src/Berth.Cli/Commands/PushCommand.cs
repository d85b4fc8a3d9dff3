using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Distribution;
using Berth.Engine.Oci;

namespace Berth.Cli.Commands;

internal static class PushCommand
{
    public static readonly CommandSpec Spec = new("push", "Upload an image to a registry", Run)
    {
        Usage = "[OPTIONS] NAME[:TAG]",
        MinArgs = 1,
        MaxArgs = 1,
        Options =
        [
            OptionSpec.Flag("all-tags", 'a', "Push all tags of an image to the repository"),
            OptionSpec.Flag("quiet", 'q', "Suppress verbose output"),
            OptionSpec.Value("compression", "Layer compression: gzip or zstd (default: keep compressed layers, gzip the rest)"),
            OptionSpec.Value("max-concurrent-uploads", "Layers to upload at once", "int", "3"),
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
        if (reference.Digest is not null)
            throw new BerthException($"cannot push a digest reference \"{a.Arg(0)}\": push a tag (name:tag)");
        var options = new PushOptions
        {
            Compression = a.Value("compression") switch
            {
                null => null,
                "gzip" => Compression.Gzip,
                "zstd" => Compression.Zstd,
                var other => throw new BerthException($"invalid --compression \"{other}\": use gzip or zstd"),
            },
            MaxConcurrentUploads = RegistryAccess.PositiveInt(a, "max-concurrent-uploads", 3),
        };
        using var cts = RegistryAccess.CancelOnCtrlC();
        using var registries = RegistryAccess.Open(a);
        var renderer = new TransferProgressRenderer(ctx.Out, ctx.StdoutIsTerminal, quiet);
        var pusher = new Pusher(ctx.Root, registries, renderer);
        var targets = all ? pusher.LocalTags(reference) : [reference];
        if (targets.Count == 0) throw new BerthException($"An image does not exist locally with the tag: {reference.Familiar}");
        if (!quiet) ctx.Out.Write($"The push refers to repository [{reference.Repository}]\n");
        ctx.Out.Flush();
        foreach (var target in targets)
        {
            var result = pusher.PushAsync(target, options, cts.Token).GetAwaiter().GetResult();
            renderer.Finish();
            ctx.Out.Write(quiet ? $"{target}\n" : $"{target.Tag}: digest: {result.Digest} size: {result.Size}\n");
            ctx.Out.Flush();
        }
        return 0;
    }
}
