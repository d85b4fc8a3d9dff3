using Berth.Cli.CommandLine;
using Berth.Engine.Deploy.LoadBalancer;

namespace Berth.Cli.Commands;

/// <summary>The hidden mode berth runs in as a service's load balancer (see LbProcess).</summary>
internal static class LoadBalancerCommand
{
    public const string Name = "__berth-lb";

    public static readonly CommandSpec Spec = new(Name, "Balance a service's published ports over its replicas (internal)", Run)
    {
        Hidden = true,
        MinArgs = 1,
        MaxArgs = 1,
    };

    private static int Run(CliContext ctx, ParsedArgs a) => LbProcess.Serve(a.Arg(0), notifyFd: 3);
}
