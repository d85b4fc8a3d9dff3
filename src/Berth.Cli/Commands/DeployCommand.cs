using System.Globalization;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine;
using Berth.Engine.Deploy;
using Berth.Engine.Util;

namespace Berth.Cli.Commands;

/// <summary><c>berth deploy SERVICE IMAGE</c>: roll a deployed service out to a new image, as a new revision; <c>deploy history</c> lists them.</summary>
internal static class DeployCommand
{
    public static readonly OptionSpec[] RolloutFlags =
    [
        OptionSpec.Value("strategy", "rolling (new replicas first) or recreate (old ones stopped first)", "string", "\"rolling\""),
        OptionSpec.Value("max-surge", "New replicas started at once during a rolling update", "int", "1"),
        OptionSpec.Value("timeout", "How long a new replica may take to become healthy", "duration", "60s"),
    ];

    public static readonly CommandSpec History = new("history", "List a service's revisions", RunHistory)
    {
        Usage = "SERVICE",
        MinArgs = 1,
        MaxArgs = 1,
        Options = [OptionSpec.Value("format", "json, or a Go template")],
    };

    public static readonly CommandSpec Spec = new("deploy", "Roll a service out to a new image (zero downtime), as a numbered revision", Run)
    {
        Usage = "[OPTIONS] SERVICE IMAGE | deploy history SERVICE",
        MinArgs = 2,
        MaxArgs = 2,
        Options = RolloutFlags,
        Subcommands = [History],
    };

    public static RolloutOptions Options(ParsedArgs a)
    {
        var surge = a.Int("max-surge") ?? 1;
        if (surge < 1) throw new UsageException("--max-surge must be at least 1", a.CommandPath);
        var strategy = a.Value("strategy", "rolling");
        if (strategy is not ("rolling" or "recreate")) throw new UsageException($"invalid --strategy \"{strategy}\": use rolling or recreate", a.CommandPath);
        return new RolloutOptions { Strategy = strategy, MaxSurge = surge, Timeout = Units.ParseDuration(a.Value("timeout", "60s")) };
    }

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var result = ComposeCli.Deployer(ctx).Deploy(a.Arg(0), a.Arg(1), Options(a));
        Report(ctx, result);
        return 0;
    }

    public static void Report(CliContext ctx, RolloutResult r)
    {
        var switches = r.Switches.Count == 0 ? "" : ", switches " + string.Join(" / ", r.Switches.Select(s => s.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms"));
        ctx.Out.Write(string.Create(CultureInfo.InvariantCulture, $"revision {r.Revision} deployed in {r.Took.TotalSeconds:0.00}s{switches}\n"));
    }

    private static int RunHistory(CliContext ctx, ParsedArgs a)
    {
        var (svc, revisions) = ComposeCli.Deployer(ctx).History(a.Arg(0));
        var table = new Table("REVISION", "IMAGE", "IMAGE ID", "CREATED", "BY", "STRATEGY", "STATUS", "NOTE");
        foreach (var r in revisions)
            table.Add((r.Number == svc.Revision ? "*" : "") + r.Number.ToString(CultureInfo.InvariantCulture), r.Image, (r.ImageId.StartsWith("sha256:", StringComparison.Ordinal) ? r.ImageId[7..19] : r.ImageId), Display.Ago(r.Created),
                r.User, r.Strategy, r.Status, r.Note);
        table.Write(ctx.Out);
        return 0;
    }
}
