using System.Globalization;
using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Runtime.Cgroups;
using Berth.Engine.Runtime.Interop;

namespace Berth.Cli.Commands;

/// <summary><c>berth top</c>: the host's ps, limited to the container's processes (its cgroup), as docker does.</summary>
internal static class TopCommand
{
    public static readonly CommandSpec Spec = new("top", "Display the running processes of a container", Run)
    {
        Usage = "CONTAINER [ps OPTIONS]",
        MinArgs = 1,
        StopAtFirstArg = true,
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        var c = service.Get(a.Arg(0));
        if (!c.Running) throw new BerthException($"container {c.Id} is not running");
        var pids = CgroupDrivers.Host.Open(CgroupDrivers.NameFor(c.Id)).Pids().ToHashSet();
        if (pids.Count == 0 && c.Pid > 0) pids.Add(c.Pid);
        var psArgs = a.Args.Count > 1 ? a.Args.Skip(1).ToList() : ["-ef"];
        var (code, output) = ChildProcess.Run("/bin/ps", ["ps", .. psArgs]);
        if (code != 0) throw new BerthException($"ps failed: {output.Trim()}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0) return 0;
        int pidColumn = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (pidColumn < 0) throw new BerthException("couldn't find PID field in ps output");
        ctx.Out.Write(lines[0] + "\n");
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > pidColumn && int.TryParse(fields[pidColumn], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && pids.Contains(pid))
                ctx.Out.Write(line + "\n");
        }
        return 0;
    }
}
