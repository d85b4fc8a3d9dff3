using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine.Containers;
using Berth.Engine.Runtime.Cgroups;

namespace Berth.Cli.Commands;

/// <summary><c>berth stats</c>: CPU, memory, network, block I/O and PIDs of running containers, from their cgroups.</summary>
internal static class StatsCommand
{
    public static readonly CommandSpec Spec = new("stats", "Display a live stream of container(s) resource usage statistics", Run)
    {
        Usage = "[OPTIONS] [CONTAINER...]",
        Options =
        [
            OptionSpec.Flag("all", 'a', "Show all containers (default shows just running)"),
            OptionSpec.Value("format", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"),
            OptionSpec.Flag("no-stream", "Disable streaming stats and only pull the first result"),
            OptionSpec.Flag("no-trunc", "Do not truncate output"),
        ],
    };

    private sealed record Sample(Container Container, CgroupStats Stats, long Rx, long Tx, long Ticks);

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        bool noTrunc = a.Flag("no-trunc");
        List<Container> Targets() => a.Args.Count > 0
            ? a.Args.Select(service.Get).ToList()
            : service.List().Where(c => a.Flag("all") || c.Running).ToList();
        var previous = Targets().Select(Take).ToDictionary(s => s.Container.Id);
        for (;;)
        {
            Thread.Sleep(a.Flag("no-stream") ? 500 : 1000);
            var now = Targets().Select(Take).ToList();
            var rows = now.Select(s => Row(s, previous.GetValueOrDefault(s.Container.Id), noTrunc)).ToList();
            if (!a.Flag("no-stream")) ctx.Out.Write("\x1b[2J\x1b[H");
            Formatter.WriteRows(ctx.Out, a.Value("format"), rows, () =>
            {
                var table = new Table("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
                foreach (var r in rows)
                    table.Add((string)r["ID"]!, (string)r["Name"]!, (string)r["CPUPerc"]!, (string)r["MemUsage"]!, (string)r["MemPerc"]!,
                        (string)r["NetIO"]!, (string)r["BlockIO"]!, (string)r["PIDs"]!);
                table.Write(ctx.Out);
            }, new Dictionary<string, string> { ["ID"] = "CONTAINER ID", ["CPUPerc"] = "CPU %", ["MemUsage"] = "MEM USAGE / LIMIT", ["MemPerc"] = "MEM %", ["NetIO"] = "NET I/O", ["BlockIO"] = "BLOCK I/O", ["PIDs"] = "PIDS" });
            ctx.Out.Flush();
            if (a.Flag("no-stream")) return 0;
            previous = now.ToDictionary(s => s.Container.Id);
        }
    }

    private static Sample Take(Container c)
    {
        var stats = c.Running ? CgroupDrivers.Host.Open(CgroupDrivers.NameFor(c.Id)).Stats() : new CgroupStats(0, 0, 0, 0, 0, 0, 0);
        var (rx, tx) = c.Running ? NetDev(c.Pid) : (0, 0);
        return new Sample(c, stats, rx, tx, Environment.TickCount64);
    }

    /// <summary>Bytes received and sent on the container's interfaces (loopback excluded), from its network namespace.</summary>
    private static (long, long) NetDev(int pid)
    {
        long rx = 0, tx = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/net/dev").Skip(2))
            {
                var parts = line.Replace(":", " ").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 10 || parts[0] == "lo") continue;
                rx += long.Parse(parts[1], CultureInfo.InvariantCulture);
                tx += long.Parse(parts[9], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException) { }
        return (rx, tx);
    }

    private static JsonObject Row(Sample s, Sample? before, bool noTrunc)
    {
        double cpu = 0;
        if (before is not null && s.Ticks > before.Ticks)
            cpu = (s.Stats.CpuUsageNanos - before.Stats.CpuUsageNanos) / ((s.Ticks - before.Ticks) * 1e6) * 100;
        var st = s.Stats;
        double memPerc = st.MemoryLimit > 0 ? 100.0 * st.MemoryUsage / st.MemoryLimit : 0;
        return new JsonObject
        {
            ["BlockIO"] = $"{Display.Size(st.BlockRead)} / {Display.Size(st.BlockWrite)}",
            ["CPUPerc"] = s.Container.Running ? Math.Max(0, cpu).ToString("F2", CultureInfo.InvariantCulture) + "%" : "0.00%",
            ["Container"] = noTrunc ? s.Container.Id : s.Container.ShortId,
            ["ID"] = noTrunc ? s.Container.Id : s.Container.ShortId,
            ["MemPerc"] = memPerc.ToString("F2", CultureInfo.InvariantCulture) + "%",
            ["MemUsage"] = $"{Binary(st.MemoryUsage)} / {Binary(st.MemoryLimit)}",
            ["Name"] = s.Container.Name,
            ["NetIO"] = $"{Display.Size(s.Rx)} / {Display.Size(s.Tx)}",
            ["PIDs"] = st.Pids.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>docker's BytesSize: 1024-based, two decimals: 1.5MiB.</summary>
    private static string Binary(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        int i = 0;
        while (v >= 1024 && i < units.Length - 1) { v /= 1024; i++; }
        return v.ToString(i == 0 ? "0" : "0.##", CultureInfo.InvariantCulture) + units[i];
    }
}
