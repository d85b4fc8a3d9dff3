using System.Runtime.CompilerServices;
using Berth.Cli.Output;
using Berth.Engine;
using Berth.Engine.Containers;
using Berth.Engine.Runtime;

namespace Berth.Cli.Commands;

/// <summary>What the container commands share: the containers domain of the context's state root, and
/// how docker shows a container's command, status and times.</summary>
internal static class ContainerCli
{
    private static readonly ConditionalWeakTable<CliContext, ContainerService> s_services = new();

    public static ContainerService Service(CliContext ctx) => s_services.GetValue(ctx, c =>
    {
        Phases.Mark("image found, opening the containers service");
        var service = new ContainerService(c.Root, new StoreImages(c.Root));
        service.MonitorCommand = SelfCommand(c.RootPath, MonitorCommand.Name);
        service.Network = new Engine.Networking.ContainerNetworking(service, NetworkCli.Service(c));
        return service;
    });

    /// <summary>berth itself in a hidden mode (the monitor, the DNS server): /proc/self/exe under NativeAOT, dotnet berth.dll under the JIT.</summary>
    public static (string, IReadOnlyList<string>) SelfCommand(string root, string mode)
    {
        var args = new List<string> { "--root", Path.GetFullPath(root), mode };
        if (RuntimeFeature.IsDynamicCodeSupported && Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet")
            return (host, [Path.Combine(AppContext.BaseDirectory, "berth.dll"), .. args]);
        return ("/proc/self/exe", args);
    }

    /// <summary>The command column: <c>"sh -c 'echo…"</c>, cut to 20 characters unless --no-trunc.</summary>
    public static string CommandText(Container c, bool noTrunc)
    {
        var cmd = string.Join(' ', c.Spec.Command);
        return "\"" + (noTrunc ? cmd : Display.Ellipsis(cmd, 20)) + "\"";
    }

    /// <summary>docker's status column: Up 3 seconds, Exited (0) 2 minutes ago, Created, Restarting (1)...</summary>
    public static string StatusText(Container c, string? health = null) => c.State switch
    {
        ContainerState.Running => "Up " + Engine.Util.Units.HumanDuration(DateTimeOffset.UtcNow - (c.StartedAt ?? c.Created)) + HealthSuffix(health),
        ContainerState.Paused => "Up " + Engine.Util.Units.HumanDuration(DateTimeOffset.UtcNow - (c.StartedAt ?? c.Created)) + " (Paused)",
        ContainerState.Restarting => $"Restarting ({c.ExitCode}) {Display.Ago(c.FinishedAt)}",
        ContainerState.Exited => $"Exited ({c.ExitCode}) {Display.Ago(c.FinishedAt)}",
        ContainerState.Dead => "Dead",
        ContainerState.Removing => "Removal In Progress",
        _ => "Created",
    };

    /// <summary>docker's health note after "Up ...": (healthy), (unhealthy), (health: starting).</summary>
    private static string HealthSuffix(string? health) => health switch
    {
        null or "" => "",
        "starting" => " (health: starting)",
        _ => $" ({health})",
    };

    /// <summary>Runs <paramref name="action"/> for each named container as docker's multi-argument verbs do:
    /// an error line per failure, exit status 1 if any failed.</summary>
    public static int ForEach(CliContext ctx, IReadOnlyList<string> names, Action<Container, string> action)
    {
        var service = Service(ctx);
        int status = 0;
        foreach (var name in names)
        {
            try
            {
                action(service.Get(name), name);
            }
            catch (BerthException e)
            {
                ctx.Out.Flush();
                ctx.Err.WriteLine("Error response from daemon: " + e.Message);
                status = 1;
            }
        }
        return status;
    }
}
