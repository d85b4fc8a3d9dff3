using Berth.Cli.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth rollback SERVICE [--to N]</c>: start the previous (or a chosen) revision's image again, with the same zero-downtime switch.</summary>
internal static class RollbackCommand
{
    public static readonly CommandSpec Spec = new("rollback", "Return a service to its previous (or a chosen) revision", Run)
    {
        Usage = "[OPTIONS] SERVICE",
        MinArgs = 1,
        MaxArgs = 1,
        Options = [OptionSpec.Value("to", "The revision to return to (default: the previous one)", "int"), .. DeployCommand.RolloutFlags],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var result = ComposeCli.Deployer(ctx).Rollback(a.Arg(0), a.Int("to"), DeployCommand.Options(a));
        DeployCommand.Report(ctx, result);
        return 0;
    }
}
