using Berth.Cli.CommandLine;
using Berth.Engine.Oci;

namespace Berth.Cli.Commands;

internal static class TagCommand
{
    public static readonly CommandSpec Spec = new("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", Run)
    {
        Usage = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
        MinArgs = 2,
        MaxArgs = 2,
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var store = ctx.Root.Images;
        var source = store.Resolve(a.Arg(0));
        store.Tag(source.Id, ImageReference.Parse(a.Arg(1)));
        return 0;
    }
}
