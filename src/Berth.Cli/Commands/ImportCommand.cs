using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Build.Execution;
using Berth.Engine.Images.Import;
using Berth.Engine.Oci;

namespace Berth.Cli.Commands;

internal static class ImportCommand
{
    public static readonly CommandSpec Spec = new("import", "Import the contents from a tarball to create a filesystem image", Run)
    {
        Usage = "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
        MinArgs = 1,
        MaxArgs = 2,
        Options =
        [
            OptionSpec.List("change", 'c', "Apply Dockerfile instruction to the created image"),
            OptionSpec.Value("message", 'm', "Set commit message for imported image"),
            OptionSpec.Value("platform", "Set platform if server is multi-platform capable"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var source = a.Arg(0);
        var tags = a.Args.Count > 1 ? new[] { ImageReference.Parse(a.Arg(1)) } : [];
        if (source.StartsWith("http://", StringComparison.Ordinal) || source.StartsWith("https://", StringComparison.Ordinal))
            throw new BerthException($"importing from a URL is not supported: download {source} first and import the file");
        var changes = a.Values("change");
        // Checked before the tarball is read: a bad change fails fast and changes nothing.
        if (changes.Count > 0) ConfigInstructions.ApplyChanges(new ContainerConfig(), changes);
        using var input = OpenInput(source);
        var root = ctx.Root;
        using var _ = root.SharedLock();
        var importer = new RootfsImporter(root.ImageWriter, root.Content, root.Snapshots, root.LocalLayers);
        var image = importer.Import(input, new ImportOptions
        {
            Source = source,
            Message = a.Value("message"),
            Platform = a.Value("platform") is { } p ? Platform.Parse(p) : Platform.Default,
            Changes = changes.Count == 0 ? null : c => ConfigInstructions.ApplyChanges(c, changes),
            Tags = tags,
        });
        ctx.Out.Write(image.Id + "\n");
        return 0;
    }

    internal static Stream OpenInput(string source)
    {
        if (source == "-") return Console.OpenStandardInput();
        try { return new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20); }
        catch (FileNotFoundException) { throw new BerthException($"open {source}: no such file or directory"); }
        catch (DirectoryNotFoundException) { throw new BerthException($"open {source}: no such file or directory"); }
        catch (UnauthorizedAccessException) { throw new BerthException($"open {source}: permission denied"); }
    }
}
