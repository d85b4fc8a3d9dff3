using System.Text.Json.Nodes;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

/// <summary><c>berth ps</c> (<c>container ls</c>): containers with docker's columns, filters and formats.</summary>
internal static class PsCommand
{
    public static readonly CommandSpec Spec = new("ps", "List containers", Run)
    {
        MaxArgs = 0,
        Options =
        [
            OptionSpec.Flag("all", 'a', "Show all containers (default shows just running)"),
            OptionSpec.List("filter", 'f', "Filter output based on conditions provided (id, name, label, status, exited, ancestor, before, since)", "filter"),
            OptionSpec.Value("format", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"),
            OptionSpec.Value("last", 'n', "Show n last created containers (includes all states)", "int", "-1"),
            OptionSpec.Flag("latest", 'l', "Show the latest created container (includes all states)"),
            OptionSpec.Flag("no-trunc", "Don't truncate output"),
            OptionSpec.Flag("quiet", 'q', "Only display container IDs"),
            OptionSpec.Flag("size", 's', "Display total file sizes"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        bool noTrunc = a.Flag("no-trunc");
        int last = a.Int("last") ?? -1;
        if (a.Flag("latest")) last = 1;
        bool all = a.Flag("all") || last > 0;
        var filter = ContainerFilter.Parse(a.Values("filter"), service);
        var containers = service.List().Where(c => (all || filter.MentionsStatus || c.Running) && filter.Matches(c)).ToList();
        if (last > 0) containers = containers.Take(last).ToList();

        if (a.Flag("quiet"))
        {
            foreach (var c in containers) ctx.Out.Write((noTrunc ? c.Id : c.ShortId) + "\n");
            return 0;
        }
        bool size = a.Flag("size");
        var ports = NetworkCli.Service(ctx).Store.AllPorts().ToLookup(p => p.ContainerId);
        string SizeText(Container c) => size ? Display.Size(service.Snapshots.Usage(c.SnapshotKey).Size) + " (virtual " + Display.Size(0) + ")" : "0B";
        var health = new Engine.Deploy.Health.HealthStore(ctx.Root.Db).Statuses();
        var rows = containers.Select(c => new JsonObject
        {
            ["Command"] = ContainerCli.CommandText(c, noTrunc),
            ["CreatedAt"] = Display.Timestamp(c.Created),
            ["ID"] = noTrunc ? c.Id : c.ShortId,
            ["Image"] = c.Spec.Image,
            ["Labels"] = string.Join(',', c.Spec.Labels.Select(kv => $"{kv.Key}={kv.Value}")),
            ["LocalVolumes"] = c.Spec.Mounts.Count(m => m.Type == "volume").ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mounts"] = string.Join(',', c.Spec.Mounts.Select(m => m.Type == "volume" ? Display.Ellipsis(m.Source, noTrunc ? int.MaxValue : 15) : m.Source)),
            ["Names"] = c.Name,
            ["Networks"] = c.Spec.NetworkMode,
            ["Ports"] = PortCommand.Column(ports[c.Id]),
            ["RunningFor"] = Display.Ago(c.Created),
            ["Size"] = SizeText(c),
            ["State"] = c.State,
            ["Status"] = ContainerCli.StatusText(c, health.GetValueOrDefault(c.Id)),
        }).ToList();
        Formatter.WriteRows(ctx.Out, a.Value("format"), rows, () =>
        {
            var table = size
                ? new Table("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES", "SIZE")
                : new Table("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
            foreach (var r in rows)
            {
                var cells = new List<string> { (string)r["ID"]!, (string)r["Image"]!, (string)r["Command"]!, (string)r["RunningFor"]!, (string)r["Status"]!, (string)r["Ports"]!, (string)r["Names"]! };
                if (size) cells.Add((string)r["Size"]!);
                table.Add([.. cells]);
            }
            table.Write(ctx.Out);
        }, new Dictionary<string, string> { ["ID"] = "CONTAINER ID", ["RunningFor"] = "CREATED", ["CreatedAt"] = "CREATED AT", ["Names"] = "NAMES" });
        return 0;
    }
}

/// <summary>docker's container filters: id, name, label, status, exited, ancestor, before, since.</summary>
internal sealed class ContainerFilter
{
    private readonly List<(string Key, string Value)> _terms = [];
    private readonly ContainerService _service;
    private DateTimeOffset? _before, _since;

    private ContainerFilter(ContainerService service) => _service = service;

    public bool MentionsStatus => _terms.Any(t => t.Key is "status" or "exited");

    public static ContainerFilter Parse(IReadOnlyList<string> specs, ContainerService service)
    {
        var f = new ContainerFilter(service);
        foreach (var spec in specs)
        {
            int eq = spec.IndexOf('=');
            if (eq <= 0) throw new BerthException($"bad format of filter (expected name=value): {spec}");
            var key = spec[..eq].ToLowerInvariant();
            var value = spec[(eq + 1)..];
            switch (key)
            {
                case "id" or "name" or "label" or "ancestor": break;
                case "status":
                    if (value is not ("created" or "restarting" or "running" or "removing" or "paused" or "exited" or "dead"))
                        throw new BerthException($"invalid filter 'status={value}': use created, restarting, running, removing, paused, exited or dead");
                    break;
                case "exited":
                    if (!int.TryParse(value, out _)) throw new BerthException($"invalid filter 'exited={value}': an exit code is a number");
                    break;
                case "before": f._before = service.Get(value).Created; continue;
                case "since": f._since = service.Get(value).Created; continue;
                default: throw new BerthException($"invalid filter '{key}'");
            }
            f._terms.Add((key, value));
        }
        return f;
    }

    /// <summary>Terms of one key are alternatives (OR); different keys must all hold (AND), as in docker.</summary>
    public bool Matches(Container c)
    {
        if (_before is { } b && !(c.Created < b)) return false;
        if (_since is { } s && !(c.Created > s)) return false;
        foreach (var group in _terms.GroupBy(t => t.Key))
            if (!group.Any(t => Term(c, t.Key, t.Value))) return false;
        return true;
    }

    private bool Term(Container c, string key, string value) => key switch
    {
        "id" => c.Id.StartsWith(value, StringComparison.Ordinal),
        "name" => c.Name.Contains(value.TrimStart('/'), StringComparison.Ordinal),
        "label" => value.IndexOf('=') is var eq and > 0
            ? c.Spec.Labels.TryGetValue(value[..eq], out var v) && v == value[(eq + 1)..]
            : c.Spec.Labels.ContainsKey(value),
        "status" => c.State == value,
        "exited" => c.State == ContainerState.Exited && c.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) == value,
        "ancestor" => c.Spec.Image == value || c.Spec.ImageId == value || c.Spec.ImageId.StartsWith("sha256:" + value, StringComparison.Ordinal)
            || AncestorId(value) == c.Spec.ImageId,
        _ => false,
    };

    private string? AncestorId(string image)
    {
        try { return _service.Images.Resolve(image).Id; }
        catch (BerthException) { return null; }
    }
}
