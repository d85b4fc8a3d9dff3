using System.Text.Json.Nodes;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

/// <summary><c>berth container inspect</c>, and the container side of <c>berth inspect</c>: docker's JSON shape.</summary>
internal static class ContainerInspectCommand
{
    public static readonly CommandSpec Spec = new("inspect", "Display detailed information on one or more containers", Run)
    {
        Usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        MinArgs = 1,
        Options =
        [
            OptionSpec.Value("format", 'f', "Format output using a custom template: 'json', or a Go template"),
            OptionSpec.Flag("size", 's', "Display total file sizes"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a) =>
        InspectOutput.Write(ctx, a, name => Find(ctx, name), "container");

    /// <summary>The container's inspect JSON, or null when no container has that name or ID.</summary>
    public static JsonNode? Find(CliContext ctx, string name)
    {
        var service = ContainerCli.Service(ctx);
        var c = service.Find(name);
        return c is null ? null : Inspect(service, NetworkCli.Service(ctx), c);
    }

    /// <summary>docker's State.Health (absent without a health check).</summary>
    private static JsonNode? HealthJson(ContainerService service, Container c)
    {
        if (Engine.Deploy.Health.HealthSettings.For(c.Spec.Healthcheck) is null) return null;
        var h = new Engine.Deploy.Health.HealthStore(service.Root.Db).Get(c.Id) ?? new Engine.Deploy.Health.HealthState();
        var log = new JsonArray();
        foreach (var p in h.Log)
            log.Add((JsonNode)new JsonObject
            {
                ["Start"] = Display.Rfc3339(p.Start), ["End"] = Display.Rfc3339(p.End), ["ExitCode"] = p.ExitCode, ["Output"] = p.Output,
            });
        return new JsonObject { ["Status"] = h.Status, ["FailingStreak"] = h.FailingStreak, ["Log"] = log };
    }

    private static JsonNode Inspect(ContainerService service, Engine.Networking.NetworkService networks, Container c)
    {
        var s = c.Spec;
        var paths = service.Paths(c.Id);
        var command = s.Command;
        string upper = "", lowers = "";
        if (service.Snapshots.Stat(c.SnapshotKey) is not null)
        {
            upper = service.Snapshots.ChangesDir(c.SnapshotKey);
            lowers = string.Join(':', service.Snapshots.LowerDirs(c.SnapshotKey));
        }
        return new JsonObject
        {
            ["Id"] = c.Id,
            ["Created"] = Display.Rfc3339(c.Created),
            ["Path"] = command.FirstOrDefault() ?? "",
            ["Args"] = Strings(command.Skip(1)),
            ["State"] = new JsonObject
            {
                ["Status"] = c.State,
                ["Running"] = c.State is ContainerState.Running or ContainerState.Paused,
                ["Paused"] = c.State == ContainerState.Paused,
                ["Restarting"] = c.State == ContainerState.Restarting,
                ["OOMKilled"] = c.OomKilled,
                ["Dead"] = c.State == ContainerState.Dead,
                ["Pid"] = c.State == ContainerState.Running ? c.Pid : 0,
                ["ExitCode"] = c.ExitCode,
                ["Error"] = c.Error,
                ["StartedAt"] = Display.Rfc3339(c.StartedAt),
                ["FinishedAt"] = Display.Rfc3339(c.FinishedAt),
                ["Health"] = HealthJson(service, c),
            },
            ["Image"] = s.ImageId,
            ["ResolvConfPath"] = paths.ResolvConf,
            ["HostnamePath"] = paths.Hostname,
            ["HostsPath"] = paths.Hosts,
            ["LogPath"] = paths.Log,
            ["Name"] = "/" + c.Name,
            ["RestartCount"] = c.RestartCount,
            ["Driver"] = "overlay",
            ["Platform"] = "linux",
            ["MountLabel"] = "",
            ["ProcessLabel"] = "",
            ["AppArmorProfile"] = "",
            ["ExecIDs"] = null,
            ["HostConfig"] = new JsonObject
            {
                ["Binds"] = Strings(s.Mounts.Where(m => m.Type is "bind" or "volume" && !m.Anonymous).Select(m => $"{m.Source}:{m.Target}{(m.ReadOnly ? ":ro" : "")}")),
                ["NetworkMode"] = s.NetworkMode,
                ["PortBindings"] = ContainerNetworkJson.PortBindings(s),
                ["PublishAllPorts"] = s.PublishAll,
                ["Dns"] = Strings(s.Dns),
                ["DnsOptions"] = Strings(s.DnsOptions),
                ["DnsSearch"] = Strings(s.DnsSearch),
                ["ExtraHosts"] = Strings(s.ExtraHosts),
                ["RestartPolicy"] = new JsonObject { ["Name"] = s.RestartPolicy.Name, ["MaximumRetryCount"] = s.RestartPolicy.MaximumRetryCount },
                ["AutoRemove"] = s.AutoRemove,
                ["CapAdd"] = s.CapAdd.Count > 0 ? Strings(s.CapAdd) : null,
                ["CapDrop"] = s.CapDrop.Count > 0 ? Strings(s.CapDrop) : null,
                ["Privileged"] = s.Privileged,
                ["ReadonlyRootfs"] = s.ReadonlyRootfs,
                ["Tmpfs"] = s.Mounts.Any(m => m.Type == "tmpfs")
                    ? new JsonObject(s.Mounts.Where(m => m.Type == "tmpfs").Select(m => KeyValuePair.Create(m.Target, (JsonNode?)m.Options)))
                    : null,
                ["ShmSize"] = s.ShmSize,
                ["Runtime"] = s.Runtime,
                ["Memory"] = s.Memory,
                ["MemorySwap"] = s.MemorySwap,
                ["NanoCpus"] = s.NanoCpus,
                ["PidsLimit"] = s.PidsLimit,
                ["Init"] = s.Init ? true : null,
            },
            ["GraphDriver"] = new JsonObject
            {
                ["Data"] = new JsonObject { ["LowerDir"] = lowers, ["UpperDir"] = upper, ["MergedDir"] = paths.Rootfs },
                ["Name"] = "overlay",
            },
            ["Mounts"] = new JsonArray(s.Mounts.Select(m => (JsonNode)new JsonObject
            {
                ["Type"] = m.Type,
                ["Name"] = m.Type == "volume" ? m.Source : null,
                ["Source"] = m.Type == "volume" ? service.Volumes.MountpointOf(m.Source) : m.Source,
                ["Destination"] = m.Target,
                ["Driver"] = m.Type == "volume" ? "local" : null,
                ["Mode"] = m.ReadOnly ? "ro" : "",
                ["RW"] = !m.ReadOnly,
                ["Propagation"] = m.Type == "bind" ? (m.Options.Length > 0 ? m.Options : "rprivate") : "",
            }).ToArray()),
            ["Config"] = new JsonObject
            {
                ["Hostname"] = s.Hostname,
                ["Domainname"] = s.Domainname,
                ["User"] = s.User,
                ["AttachStdin"] = s.OpenStdin,
                ["AttachStdout"] = true,
                ["AttachStderr"] = true,
                ["Tty"] = s.Tty,
                ["ExposedPorts"] = ContainerNetworkJson.ExposedPorts(s),
                ["OpenStdin"] = s.OpenStdin,
                ["StdinOnce"] = false,
                ["Env"] = Strings(s.Env),
                ["Cmd"] = s.Cmd is null ? null : Strings(s.Cmd),
                ["Image"] = s.Image,
                ["Volumes"] = s.Mounts.Any(m => m.Anonymous)
                    ? new JsonObject(s.Mounts.Where(m => m.Anonymous).Select(m => KeyValuePair.Create(m.Target, (JsonNode?)new JsonObject())))
                    : null,
                ["WorkingDir"] = s.WorkingDir,
                ["Entrypoint"] = s.Entrypoint is null ? null : Strings(s.Entrypoint),
                ["OnBuild"] = null,
                ["Labels"] = new JsonObject(s.Labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                ["StopSignal"] = s.StopSignal,
                ["StopTimeout"] = s.StopTimeout,
            },
            ["NetworkSettings"] = ContainerNetworkJson.Settings(networks, c),
        };
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());
}
