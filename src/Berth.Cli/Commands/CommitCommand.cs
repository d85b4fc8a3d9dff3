using Berth.Cli.CommandLine;
using Berth.Engine.Build.Execution;
using Berth.Engine.Containers;
using Berth.Engine.Oci;

namespace Berth.Cli.Commands;

/// <summary><c>berth commit</c>: a container's changes as a new image.</summary>
internal static class CommitCommand
{
    public static readonly CommandSpec Spec = new("commit", "Create a new image from a container's changes", Run)
    {
        Usage = "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
        MinArgs = 1,
        MaxArgs = 2,
        Options =
        [
            OptionSpec.Value("author", 'a', "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")"),
            OptionSpec.List("change", 'c', "Apply Dockerfile instruction to the created image"),
            OptionSpec.Value("message", 'm', "Commit message"),
            OptionSpec.Flag("pause", 'p', "Pause container during commit (accepted; containers are not paused)"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        var c = service.Get(a.Arg(0));
        var changes = a.Values("change");
        if (changes.Count > 0) ConfigInstructions.ApplyChanges(new ContainerConfig(), changes); // bad changes fail before anything is written
        var image = new ContainerCommitter(service).Commit(c, new CommitOptions
        {
            Author = a.Value("author"),
            Message = a.Value("message"),
            Tags = a.Args.Count > 1 ? [ImageReference.Parse(a.Arg(1))] : [],
            Changes = changes.Count == 0 ? null : cfg => ConfigInstructions.ApplyChanges(cfg, changes),
        });
        ctx.Out.Write(image.Id + "\n");
        return 0;
    }
}
