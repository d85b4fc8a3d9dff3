using Berth.Cli.CommandLine;
using Berth.Engine.Compose;

namespace Berth.Cli.Commands;

/// <summary><c>compose config</c>: the resolved project as YAML (files merged, variables interpolated, paths absolute).</summary>
internal static class ComposeConfigCommand
{
    public static readonly CommandSpec Spec = new("config", "Parse, resolve and render compose file in canonical format", Run)
    {
        Usage = "[OPTIONS] [SERVICE...]",
        Options =
        [
            OptionSpec.Flag("quiet", 'q', "Only validate the configuration, don't print anything"),
            OptionSpec.Flag("services", "Print the service names, one per line"),
            .. ComposeCli.ProjectOptions,
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var p = ComposeCli.Load(ctx, a);
        if (a.Flag("quiet")) return 0;
        if (a.Flag("services"))
        {
            foreach (var s in p.Services) ctx.Out.Write(s.Name + "\n");
            return 0;
        }
        if (a.Args.Count > 0) p = p with { Services = p.Services.Where(s => a.Args.Contains(s.Name)).ToList() };
        ctx.Out.Write(ComposeWriter.Write(p));
        return 0;
    }
}
