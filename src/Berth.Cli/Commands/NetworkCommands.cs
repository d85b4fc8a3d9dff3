using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine;
using Berth.Engine.Containers;
using Berth.Engine.Networking;

namespace Berth.Cli.Commands;

/// <summary><c>berth network create|ls|inspect|rm|prune|connect|disconnect</c>: docker's network commands.</summary>
internal static class NetworkCommands
{
    public static readonly CommandSpec Create = new("create", "Create a network", RunCreate)
    {
        Usage = "[OPTIONS] NETWORK",
        MinArgs = 1,
        MaxArgs = 1,
        Options =
        [
            OptionSpec.Value("driver", 'd', "Driver to manage the Network", "string", "\"bridge\""),
            OptionSpec.Value("subnet", "Subnet in CIDR format that represents a network segment"),
            OptionSpec.Value("gateway", "IPv4 Gateway for the master subnet"),
            OptionSpec.Flag("internal", "Restrict external access to the network"),
            OptionSpec.List("label", "Set metadata on a network"),
            OptionSpec.List("opt", 'o', "Set driver specific options (not supported)", "map"),
            OptionSpec.Flag("attachable", "Enable manual container attachment (always on)") with { Hidden = true },
        ],
    };

    public static readonly CommandSpec Ls = new("ls", "List networks", RunLs)
    {
        Aliases = ["list"],
        MaxArgs = 0,
        Options =
        [
            OptionSpec.List("filter", 'f', "Provide filter values (e.g. 'driver=bridge', 'name=x', 'label=k')", "filter"),
            OptionSpec.Value("format", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"),
            OptionSpec.Flag("no-trunc", "Do not truncate the output"),
            OptionSpec.Flag("quiet", 'q', "Only display network IDs"),
        ],
    };

    public static readonly CommandSpec Inspect = new("inspect", "Display detailed information on one or more networks", RunInspect)
    {
        Usage = "[OPTIONS] NETWORK [NETWORK...]",
        MinArgs = 1,
        Options = [OptionSpec.Value("format", 'f', "Format output using a custom template: 'json', or a Go template")],
    };

    public static readonly CommandSpec Rm = new("rm", "Remove one or more networks", RunRm)
    {
        Aliases = ["remove"],
        Usage = "[OPTIONS] NETWORK [NETWORK...]",
        MinArgs = 1,
        Options = [OptionSpec.Flag("force", 'f', "Do not error if the network does not exist")],
    };

    public static readonly CommandSpec Prune = new("prune", "Remove all unused networks", RunPrune)
    {
        MaxArgs = 0,
        Options =
        [
            OptionSpec.List("filter", "Provide filter values (e.g. 'label=<label>')", "filter"),
            OptionSpec.Flag("force", 'f', "Do not prompt for confirmation"),
        ],
    };

    public static readonly CommandSpec Connect = new("connect", "Connect a container to a network", RunConnect)
    {
        Usage = "[OPTIONS] NETWORK CONTAINER",
        MinArgs = 2,
        MaxArgs = 2,
        Options =
        [
            OptionSpec.List("alias", "Add network-scoped alias for the container"),
            OptionSpec.Value("ip", "IPv4 address (e.g., 172.30.100.104)"),
        ],
    };

    public static readonly CommandSpec Disconnect = new("disconnect", "Disconnect a container from a network", RunDisconnect)
    {
        Usage = "[OPTIONS] NETWORK CONTAINER",
        MinArgs = 2,
        MaxArgs = 2,
        Options = [OptionSpec.Flag("force", 'f', "Force the container to disconnect from a network")],
    };

    public static readonly CommandSpec Group = new("network", "Manage networks")
    {
        Subcommands = [Connect, Create, Disconnect, Inspect, Ls, Prune, Rm],
    };

    private static int RunCreate(CliContext ctx, ParsedArgs a)
    {
        if (a.Values("opt").Count > 0) throw new BerthException("network driver options (-o) are not supported by berth's bridge driver");
        var n = NetworkCli.Service(ctx).Create(new NetworkCreateOptions
        {
            Name = a.Arg(0),
            Driver = a.Value("driver", "bridge"),
            Subnet = a.Value("subnet"),
            Gateway = a.Value("gateway"),
            Internal = a.Flag("internal"),
            Labels = Labels(a.Values("label")),
        });
        ctx.Out.Write(n.Id + "\n");
        return 0;
    }

    private static int RunLs(CliContext ctx, ParsedArgs a)
    {
        var networks = NetworkCli.Service(ctx).Store.List().AsEnumerable();
        foreach (var f in a.Values("filter"))
        {
            int eq = f.IndexOf('=');
            if (eq <= 0) throw new BerthException($"bad format of filter (expected name=value): {f}");
            var (key, value) = (f[..eq], f[(eq + 1)..]);
            networks = key switch
            {
                "name" => networks.Where(n => n.Name.Contains(value, StringComparison.Ordinal)),
                "id" => networks.Where(n => n.Id.StartsWith(value, StringComparison.Ordinal)),
                "driver" => networks.Where(n => n.Driver == value),
                "type" => networks.Where(n => (value == "builtin") == n.Predefined),
                "label" => networks.Where(n => value.IndexOf('=') is var e and > 0 ? n.Labels.TryGetValue(value[..e], out var lv) && lv == value[(e + 1)..] : n.Labels.ContainsKey(value)),
                _ => throw new BerthException($"invalid filter '{key}': use name, id, driver, type or label"),
            };
        }
        var list = networks.ToList();
        bool noTrunc = a.Flag("no-trunc");
        if (a.Flag("quiet"))
        {
            foreach (var n in list) ctx.Out.Write((noTrunc ? n.Id : n.ShortId) + "\n");
            return 0;
        }
        var rows = list.Select(n => new JsonObject
        {
            ["CreatedAt"] = Display.Timestamp(n.Created),
            ["Driver"] = n.Driver,
            ["ID"] = noTrunc ? n.Id : n.ShortId,
            ["IPv6"] = "false",
            ["Internal"] = n.Internal ? "true" : "false",
            ["Labels"] = string.Join(',', n.Labels.Select(kv => $"{kv.Key}={kv.Value}")),
            ["Name"] = n.Name,
            ["Scope"] = "local",
        }).ToList();
        Formatter.WriteRows(ctx.Out, a.Value("format"), rows, () =>
        {
            var table = new Table("NETWORK ID", "NAME", "DRIVER", "SCOPE");
            foreach (var n in list) table.Add(noTrunc ? n.Id : n.ShortId, n.Name, n.Driver, "local");
            table.Write(ctx.Out);
        }, new Dictionary<string, string> { ["ID"] = "NETWORK ID" });
        return 0;
    }

    private static int RunInspect(CliContext ctx, ParsedArgs a)
    {
        var networks = NetworkCli.Service(ctx);
        return InspectOutput.Write(ctx, a, name => networks.Store.Find(name) is { } n ? Json(networks, n) : null, "network");
    }

    public static JsonNode Json(NetworkService networks, Network n)
    {
        var containers = new JsonObject();
        foreach (var e in networks.Store.EndpointsOn(n.Id).Where(e => e.Active))
            containers[e.ContainerId] = new JsonObject
            {
                ["Name"] = networks.Store.ContainerSummary(e.ContainerId)?.Name ?? "",
                ["EndpointID"] = e.EndpointId,
                ["MacAddress"] = e.Mac,
                ["IPv4Address"] = $"{e.Ip}/{n.SubnetValue.PrefixLength.ToString(CultureInfo.InvariantCulture)}",
                ["IPv6Address"] = "",
            };
        return new JsonObject
        {
            ["Name"] = n.Name,
            ["Id"] = n.Id,
            ["Created"] = Display.Rfc3339(n.Created),
            ["Scope"] = "local",
            ["Driver"] = n.Driver,
            ["EnableIPv6"] = false,
            ["IPAM"] = new JsonObject
            {
                ["Driver"] = "default",
                ["Options"] = new JsonObject(),
                ["Config"] = n.Subnet.Length > 0
                    ? new JsonArray(new JsonObject { ["Subnet"] = n.Subnet, ["Gateway"] = n.Gateway })
                    : new JsonArray(),
            },
            ["Internal"] = n.Internal,
            ["Attachable"] = !n.Predefined,
            ["Ingress"] = false,
            ["ConfigFrom"] = new JsonObject { ["Network"] = "" },
            ["ConfigOnly"] = false,
            ["Containers"] = containers,
            ["Options"] = n.Bridge.Length > 0 ? new JsonObject { ["com.docker.network.bridge.name"] = n.Bridge } : new JsonObject(),
            ["Labels"] = new JsonObject(n.Labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        };
    }

    private static int RunRm(CliContext ctx, ParsedArgs a)
    {
        var networks = NetworkCli.Service(ctx);
        ContainerCli.Service(ctx).List(); // reconciles containers whose monitor died, so their endpoints are released
        int status = 0;
        foreach (var name in a.Args)
        {
            try
            {
                var n = networks.Store.Find(name);
                if (n is null)
                {
                    if (a.Flag("force")) continue;
                    throw new NotFoundException($"network {name} not found");
                }
                networks.Remove(n);
                ctx.Out.Write(name + "\n");
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

    private static int RunPrune(CliContext ctx, ParsedArgs a)
    {
        var labelFilters = a.Values("filter").Select(f => f.StartsWith("label=", StringComparison.Ordinal) ? f[6..]
            : throw new BerthException($"invalid filter '{f}': use label=<key>[=<value>]")).ToList();
        if (!a.Flag("force") && !ContainerPruneCommand.Confirm(ctx, "WARNING! This will remove all custom networks not used by at least one container."))
            return 0;
        ContainerCli.Service(ctx).List();
        var removed = NetworkCli.Service(ctx).Prune(n => labelFilters.All(l =>
            l.IndexOf('=') is var e and > 0 ? n.Labels.TryGetValue(l[..e], out var lv) && lv == l[(e + 1)..] : n.Labels.ContainsKey(l)));
        if (removed.Count > 0)
        {
            ctx.Out.Write("Deleted Networks:\n");
            foreach (var r in removed) ctx.Out.Write(r + "\n");
        }
        return 0;
    }

    private static int RunConnect(CliContext ctx, ParsedArgs a)
    {
        var networks = NetworkCli.Service(ctx);
        var n = networks.Resolve(a.Arg(0));
        var c = ContainerCli.Service(ctx).Get(a.Arg(1));
        NetworkCli.Containers(ctx).Connect(c, n, a.Values("alias"), a.Value("ip"));
        return 0;
    }

    private static int RunDisconnect(CliContext ctx, ParsedArgs a)
    {
        var networks = NetworkCli.Service(ctx);
        var n = networks.Resolve(a.Arg(0));
        var c = ContainerCli.Service(ctx).Get(a.Arg(1));
        NetworkCli.Containers(ctx).Leave(c, n);
        return 0;
    }

    private static Dictionary<string, string> Labels(IEnumerable<string> labels) =>
        labels.Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
}
