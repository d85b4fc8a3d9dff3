using Berth.Cli.CommandLine;
using Berth.Engine.Networking.Dns;

namespace Berth.Cli.Commands;

/// <summary>The hidden mode berth runs in as the state root's DNS server (see DnsServer).</summary>
internal static class DnsCommand
{
    public const string Name = "__berth-dns";

    public static readonly CommandSpec Spec = new(Name, "Serve DNS for berth's networks (internal)", Run)
    {
        Hidden = true,
        MaxArgs = 0,
    };

    /// <summary>The pipe the starter reads: "S" serving, "E message" failed.</summary>
    private const int NotifyFd = 3;

    private static int Run(CliContext ctx, ParsedArgs a) => new DnsServer(ctx.Root).Run(NotifyFd);
}
