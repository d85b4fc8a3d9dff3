using System.Runtime.CompilerServices;
using Berth.Engine.Networking;

namespace Berth.Cli.Commands;

/// <summary>The networks of the context's state root, with the DNS server started as berth itself.</summary>
internal static class NetworkCli
{
    private static readonly ConditionalWeakTable<CliContext, NetworkService> s_services = new();

    public static NetworkService Service(CliContext ctx) => s_services.GetValue(ctx, c =>
        new NetworkService(c.Root, Engine.Events.EventLog.For(c.Root)) { DnsCommand = ContainerCli.SelfCommand(c.RootPath, DnsCommand.Name) });

    public static ContainerNetworking Containers(CliContext ctx) =>
        (ContainerNetworking)ContainerCli.Service(ctx).Network;
}
