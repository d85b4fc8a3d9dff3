using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Images;
using Berth.Engine.Images.Archives;
using Berth.Engine.Oci;
using Berth.Engine.Util;

namespace Berth.Cli.Commands;

internal static class SaveCommand
{
    public static readonly CommandSpec Spec = new("save", "Save one or more images to a tar archive (streamed to STDOUT by default)", Run)
    {
        Usage = "[OPTIONS] IMAGE [IMAGE...]",
        MinArgs = 1,
        Options =
        [
            OptionSpec.Value("output", 'o', "Write to a file, instead of STDOUT"),
            OptionSpec.Value("format", "Archive format: docker-archive (default) or oci"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var format = a.Value("format", "docker-archive") switch
        {
            "docker-archive" or "docker" => ArchiveFormat.DockerArchive,
            "oci" or "oci-archive" => ArchiveFormat.OciLayout,
            var f => throw new BerthException($"unknown archive format \"{f}\": use docker-archive or oci"),
        };
        var store = ctx.Root.Images;
        var requests = new Dictionary<Digest, (ImageRecord Image, List<ImageReference> Tags)>();
        foreach (var name in a.Args)
        {
            var image = store.Resolve(name);
            if (!requests.TryGetValue(image.Id, out var req)) requests[image.Id] = req = (image, []);
            // Saved by name: that name travels; saved by ID: no name, as docker does.
            var named = image.Tags.FirstOrDefault(t => ImageReference.TryParse(name, out var r) && r.ToString() == t.ToString());
            if (named is not null && !req.Tags.Contains(named)) req.Tags.Add(named);
        }
        var list = requests.Values.Select(r => new SaveRequest(r.Image, r.Tags)).ToList();
        var writer = new ArchiveWriter(ctx.Root.ImageContent, ctx.Root.TmpDir);
        var output = a.Value("output");
        if (output is null)
        {
            if (!Console.IsOutputRedirected)
                throw new BerthException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
            ctx.Out.Flush();
            using var stdout = Console.OpenStandardOutput();
            writer.Write(list, format, stdout);
            return 0;
        }
        var full = Path.GetFullPath(output);
        var tmp = AtomicFile.TempPathFor(full);
        try
        {
            using (var f = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                writer.Write(list, format, f);
            File.Move(tmp, full, overwrite: true);
        }
        catch (DirectoryNotFoundException)
        {
            throw new BerthException($"failed to save to {output}: the directory does not exist");
        }
        finally
        {
            File.Delete(tmp);
        }
        return 0;
    }
}
