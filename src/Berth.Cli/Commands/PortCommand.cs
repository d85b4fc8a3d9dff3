using System.Globalization;
using Berth.Cli.CommandLine;
using Berth.Engine;

namespace Berth.Cli.Commands;

/// <summary><c>berth port CTR [PRIVATE_PORT[/PROTO]]</c>: a running container's published ports.</summary>
internal static class PortCommand
{
    public static readonly CommandSpec Spec = new("port", "List port mappings or a specific mapping for the container", Run)
    {
        Usage = "CONTAINER [PRIVATE_PORT[/PROTO]]",
        MinArgs = 1,
        MaxArgs = 2,
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var c = ContainerCli.Service(ctx).Get(a.Arg(0));
        var ports = NetworkCli.Service(ctx).Store.Ports(c.Id);
        if (a.Args.Count == 2)
        {
            var wanted = a.Arg(1).Contains('/') ? a.Arg(1).ToLowerInvariant() : a.Arg(1) + "/tcp";
            var matches = ports.Where(p => Key(p) == wanted).ToList();
            if (matches.Count == 0) throw new BerthException($"No public port '{wanted}' published for {c.Name}");
            foreach (var p in matches) ctx.Out.Write(Host(p) + "\n");
            return 0;
        }
        foreach (var p in ports) ctx.Out.Write($"{Key(p)} -> {Host(p)}\n");
        return 0;
    }

    private static string Key(Engine.Networking.PortMapping p) => p.ContainerPort.ToString(CultureInfo.InvariantCulture) + "/" + p.Protocol;

    private static string Host(Engine.Networking.PortMapping p) => p.HostIp + ":" + p.HostPort.ToString(CultureInfo.InvariantCulture);

    /// <summary>docker's PORTS column: <c>0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp</c>.</summary>
    public static string Column(IEnumerable<Engine.Networking.PortMapping> ports) =>
        string.Join(", ", ports.Select(p => $"{Host(p)}->{Key(p)}"));
}
