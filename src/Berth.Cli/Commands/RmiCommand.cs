using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Images;

namespace Berth.Cli.Commands;

internal static class RmiCommand
{
    public static readonly CommandSpec Spec = new("rmi", "Remove one or more images", Run)
    {
        Usage = "[OPTIONS] IMAGE [IMAGE...]",
        MinArgs = 1,
        Options =
        [
            OptionSpec.Flag("force", 'f', "Force removal of the image"),
            OptionSpec.Flag("no-prune", "Do not delete untagged parents"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var remover = new ImageRemover(ctx.Root.Images, ctx.Root.ImageUsers);
        int status = 0;
        foreach (var name in a.Args)
        {
            try
            {
                foreach (var e in remover.Remove(name, a.Flag("force"))) ctx.Out.Write(e + "\n");
            }
            catch (BerthException e)
            {
                ctx.Out.Flush();
                ctx.Err.WriteLine("Error: " + e.Message);
                status = 1;
            }
        }
        var collected = ctx.Root.ImageGarbage.Collect();
        foreach (var s in collected.Snapshots) ctx.Out.Write($"Deleted: {s}\n");
        return status;
    }
}
