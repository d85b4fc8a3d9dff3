using Berth.Cli.CommandLine;
using Berth.Engine.Images.Archives;

namespace Berth.Cli.Commands;

internal static class LoadCommand
{
    public static readonly CommandSpec Spec = new("load", "Load an image from a tar archive or STDIN", Run)
    {
        MaxArgs = 0,
        Options =
        [
            OptionSpec.Value("input", 'i', "Read from tar archive file (docker-archive or OCI layout; a directory holding an OCI layout works too), instead of STDIN"),
            OptionSpec.Flag("quiet", 'q', "Suppress the load output"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var root = ctx.Root;
        var path = a.Value("input") ?? "-";
        using var _ = root.SharedLock();
        var loader = new ArchiveLoader(root.ImageWriter, root.Images, root.Content);
        IReadOnlyList<LoadedImage> loaded;
        if (path != "-" && Directory.Exists(path)) loaded = loader.LoadDirectory(path);
        else
        {
            using var input = ImportCommand.OpenInput(path);
            loaded = loader.LoadTar(input, path == "-" ? "stdin" : path);
        }
        foreach (var l in loaded)
        {
            if (l.Tags.Count == 0) ctx.Out.Write($"Loaded image ID: {l.Image.Id}\n");
            foreach (var t in l.Tags) ctx.Out.Write($"Loaded image: {t.Familiar}\n");
        }
        return 0;
    }
}
