using Berth.Cli.CommandLine;
using Berth.Engine;

namespace Berth.Cli.Commands;

/// <summary><c>compose build|pull|push</c>: the project's images, through the build, pull and push commands' own handlers.</summary>
internal static class ComposeImageCommands
{
    public static readonly CommandSpec Build = new("build", "Build or rebuild services", RunBuild)
    {
        Usage = "[OPTIONS] [SERVICE...]",
        Options = [.. ComposeCli.ProjectOptions],
    };

    public static readonly CommandSpec Pull = new("pull", "Pull service images", RunPull)
    {
        Usage = "[OPTIONS] [SERVICE...]",
        Options = [OptionSpec.Flag("ignore-buildable", "Ignore images that can be built"), .. ComposeCli.ProjectOptions],
    };

    public static readonly CommandSpec Push = new("push", "Push service images", RunPush)
    {
        Usage = "[OPTIONS] [SERVICE...]",
        Options = [.. ComposeCli.ProjectOptions],
    };

    private static int RunBuild(CliContext ctx, ParsedArgs a)
    {
        var p = ComposeCli.Load(ctx, a);
        var images = new CliServiceImages(ctx);
        foreach (var s in p.Services.Where(s => s.Build is not null && (a.Args.Count == 0 || a.Args.Contains(s.Name))))
            images.Build(CliServiceImages.ImageName(p, s), s.Build!);
        return 0;
    }

    private static int RunPull(CliContext ctx, ParsedArgs a)
    {
        var p = ComposeCli.Load(ctx, a);
        int status = 0;
        foreach (var s in p.Services.Where(s => s.Image is not null && (a.Args.Count == 0 || a.Args.Contains(s.Name))))
        {
            if (s.Build is not null && (a.Flag("ignore-buildable") || ctx.Root.Images.Find(s.Image!) is not null)) continue;
            if (ComposeCli.Invoke(ctx, PullCommand.Spec, "berth pull", [s.Image!]) != 0) status = 1;
        }
        return status;
    }

    private static int RunPush(CliContext ctx, ParsedArgs a)
    {
        var p = ComposeCli.Load(ctx, a);
        int status = 0;
        foreach (var s in p.Services.Where(s => s.Image is not null && s.Build is not null && (a.Args.Count == 0 || a.Args.Contains(s.Name))))
            if (ComposeCli.Invoke(ctx, PushCommand.Spec, "berth push", [s.Image!]) != 0) status = 1;
        return status;
    }
}
