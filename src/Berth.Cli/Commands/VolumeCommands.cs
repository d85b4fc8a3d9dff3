using System.Text.Json.Nodes;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine;
using Berth.Engine.Volumes;

namespace Berth.Cli.Commands;

/// <summary><c>berth volume create|ls|inspect|rm|prune</c>: named volumes of the local driver.</summary>
internal static class VolumeCommands
{
    public static readonly CommandSpec Create = new("create", "Create a volume", RunCreate)
    {
        Usage = "[OPTIONS] [VOLUME]",
        MaxArgs = 1,
        Options =
        [
            OptionSpec.Value("driver", 'd', "Specify volume driver name", "string", "\"local\""),
            OptionSpec.List("label", "Set metadata for a volume"),
            OptionSpec.Value("name", "Specify volume name"),
            OptionSpec.List("opt", 'o', "Set driver specific options (not supported by berth's local driver)", "map"),
        ],
    };

    public static readonly CommandSpec Ls = new("ls", "List volumes", RunLs)
    {
        Aliases = ["list"],
        MaxArgs = 0,
        Options =
        [
            OptionSpec.List("filter", 'f', "Provide filter values (e.g. 'dangling=true', 'name=x', 'label=k')", "filter"),
            OptionSpec.Value("format", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"),
            OptionSpec.Flag("quiet", 'q', "Only display volume names"),
        ],
    };

    public static readonly CommandSpec Inspect = new("inspect", "Display detailed information on one or more volumes", RunInspect)
    {
        Usage = "[OPTIONS] VOLUME [VOLUME...]",
        MinArgs = 1,
        Options = [OptionSpec.Value("format", 'f', "Format output using a custom template: 'json', or a Go template")],
    };

    public static readonly CommandSpec Rm = new("rm", "Remove one or more volumes", RunRm)
    {
        Aliases = ["remove"],
        Usage = "[OPTIONS] VOLUME [VOLUME...]",
        MinArgs = 1,
        Options = [OptionSpec.Flag("force", 'f', "Force the removal of one or more volumes")],
    };

    public static readonly CommandSpec Prune = new("prune", "Remove unused local volumes", RunPrune)
    {
        MaxArgs = 0,
        Options =
        [
            OptionSpec.Flag("all", 'a', "Remove all unused volumes, not just anonymous ones"),
            OptionSpec.List("filter", "Provide filter values (e.g. 'label=<label>')", "filter"),
            OptionSpec.Flag("force", 'f', "Do not prompt for confirmation"),
        ],
    };

    public static readonly CommandSpec Group = new("volume", "Manage volumes")
    {
        Subcommands = [Create, Inspect, Ls, Prune, Rm],
    };

    private static VolumeStore Store(CliContext ctx) => ContainerCli.Service(ctx).Volumes;

    private static int RunCreate(CliContext ctx, ParsedArgs a)
    {
        if (a.Values("opt").Count > 0) throw new BerthException("volume options (-o) are not supported by berth's local driver");
        var name = a.Value("name") ?? (a.Args.Count > 0 ? a.Arg(0) : null);
        if (a.Value("name") is { } n && a.Args.Count > 0 && a.Arg(0) != n)
            throw new BerthException($"conflicting options: either specify --name or provide positional arg, not both");
        var v = Store(ctx).Create(name, Labels(a.Values("label")), a.Value("driver", "local"));
        ctx.Out.Write(v.Name + "\n");
        return 0;
    }

    private static int RunLs(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        var volumes = service.Volumes.List();
        var containers = service.List();
        foreach (var f in a.Values("filter"))
        {
            int eq = f.IndexOf('=');
            if (eq <= 0) throw new BerthException($"bad format of filter (expected name=value): {f}");
            var (key, value) = (f[..eq], f[(eq + 1)..]);
            volumes = key switch
            {
                "dangling" => volumes.Where(v => (service.Volumes.Users(v.Name, containers).Count == 0) == (value is "true" or "1")).ToList(),
                "name" => volumes.Where(v => v.Name.Contains(value, StringComparison.Ordinal)).ToList(),
                "label" => volumes.Where(v => value.IndexOf('=') is var e and > 0 ? v.Labels.TryGetValue(value[..e], out var lv) && lv == value[(e + 1)..] : v.Labels.ContainsKey(value)).ToList(),
                "driver" => volumes.Where(v => v.Driver == value).ToList(),
                _ => throw new BerthException($"invalid filter '{key}': use dangling, name, label or driver"),
            };
        }
        if (a.Flag("quiet"))
        {
            foreach (var v in volumes) ctx.Out.Write(v.Name + "\n");
            return 0;
        }
        var rows = volumes.Select(v => new JsonObject
        {
            ["Driver"] = v.Driver,
            ["Labels"] = string.Join(',', v.Labels.Select(kv => $"{kv.Key}={kv.Value}")),
            ["Links"] = "N/A",
            ["Mountpoint"] = v.Mountpoint,
            ["Name"] = v.Name,
            ["Scope"] = "local",
            ["Size"] = "N/A",
        }).ToList();
        Formatter.WriteRows(ctx.Out, a.Value("format"), rows, () =>
        {
            var table = new Table("DRIVER", "VOLUME NAME");
            foreach (var v in volumes) table.Add(v.Driver, v.Name);
            table.Write(ctx.Out);
        }, new Dictionary<string, string> { ["Name"] = "VOLUME NAME" });
        return 0;
    }

    private static int RunInspect(CliContext ctx, ParsedArgs a)
    {
        var store = Store(ctx);
        return InspectOutput.Write(ctx, a, name => store.Get(name) is { } v ? Json(v) : null, "volume");
    }

    public static JsonNode Json(Volume v) => new JsonObject
    {
        ["CreatedAt"] = v.Created.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        ["Driver"] = v.Driver,
        ["Labels"] = new JsonObject(v.Labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["Mountpoint"] = v.Mountpoint,
        ["Name"] = v.Name,
        ["Options"] = null,
        ["Scope"] = "local",
    };

    private static int RunRm(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        int status = 0;
        var containers = service.List();
        foreach (var name in a.Args)
        {
            try
            {
                service.Volumes.Remove(name, containers, a.Flag("force"));
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
        var service = ContainerCli.Service(ctx);
        var labelFilters = a.Values("filter").Select(f => f.StartsWith("label=", StringComparison.Ordinal) ? f[6..]
            : throw new BerthException($"invalid filter '{f}': use label=<key>[=<value>]")).ToList();
        if (!a.Flag("force") && !ContainerPruneCommand.Confirm(ctx, a.Flag("all")
                ? "WARNING! This will remove all local volumes not used by at least one container."
                : "WARNING! This will remove anonymous local volumes not used by at least one container."))
            return 0;
        var containers = service.List();
        long reclaimed = 0;
        var removed = new List<string>();
        foreach (var v in service.Volumes.List())
        {
            if (!a.Flag("all") && !v.Anonymous) continue;
            if (service.Volumes.Users(v.Name, containers).Count > 0) continue;
            if (!labelFilters.All(l => l.IndexOf('=') is var e and > 0 ? v.Labels.TryGetValue(l[..e], out var lv) && lv == l[(e + 1)..] : v.Labels.ContainsKey(l))) continue;
            reclaimed += Directory.Exists(v.Mountpoint) ? Engine.Util.DirectoryUsage.Measure(v.Mountpoint).Size : 0;
            service.Volumes.Remove(v.Name, containers);
            removed.Add(v.Name);
        }
        if (removed.Count > 0)
        {
            ctx.Out.Write("Deleted Volumes:\n");
            foreach (var r in removed) ctx.Out.Write(r + "\n");
            ctx.Out.Write("\n");
        }
        ctx.Out.Write($"Total reclaimed space: {Display.Size(reclaimed)}\n");
        return 0;
    }

    private static Dictionary<string, string> Labels(IEnumerable<string> labels) =>
        labels.Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
}
