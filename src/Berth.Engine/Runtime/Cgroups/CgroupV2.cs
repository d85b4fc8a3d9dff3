using System.Globalization;
using Berth.Engine.Runtime.Spec;

namespace Berth.Engine.Runtime.Cgroups;

/// <summary>cgroup v2: one unified tree. Controllers are enabled down to berth/, limits use the v2 files.</summary>
public sealed class CgroupV2Driver(string root) : ICgroupDriver
{
    private static readonly string[] Wanted = ["cpu", "io", "memory", "pids"];

    public string Version => "v2";

    public ICgroup Open(string name) => new CgroupV2(Path.Combine(root, name), name);

    public ICgroup Create(string name, SpecResources? resources)
    {
        var dir = Path.Combine(root, name);
        EnableControllers(root, Path.GetDirectoryName(dir)!);
        Directory.CreateDirectory(dir);
        var cg = new CgroupV2(dir, name);
        try
        {
            Apply(dir, resources);
        }
        catch
        {
            cg.Remove();
            throw;
        }
        return cg;
    }

    /// <summary>Turns on the controllers Berth needs in every cgroup from the root down to <paramref name="parent"/>.</summary>
    private static void EnableControllers(string root, string parent)
    {
        var chain = new List<string>();
        for (var d = parent; d.Length >= root.Length; d = Path.GetDirectoryName(d)!)
        {
            chain.Insert(0, d);
            if (d == root) break;
        }
        foreach (var d in chain)
        {
            Directory.CreateDirectory(d);
            var available = (CgroupFiles.Read(Path.Combine(d, "cgroup.controllers")) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var enabled = (CgroupFiles.Read(Path.Combine(d, "cgroup.subtree_control")) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var missing = Wanted.Where(c => available.Contains(c) && !enabled.Contains(c)).Select(c => "+" + c).ToList();
            if (missing.Count > 0) CgroupFiles.Write(d, "cgroup.subtree_control", string.Join(' ', missing));
        }
    }

    private static void Apply(string dir, SpecResources? r)
    {
        if (r is null) return;
        if (r.Memory is { } m)
        {
            if (m.Reservation is > 0) CgroupFiles.Write(dir, "memory.low", m.Reservation.Value.ToString(CultureInfo.InvariantCulture));
            if (m.Limit is > 0)
            {
                CgroupFiles.Write(dir, "memory.max", m.Limit.Value.ToString(CultureInfo.InvariantCulture));
                if (m.Swap is { } swap && swap != 0 && File.Exists(Path.Combine(dir, "memory.swap.max")))
                    CgroupFiles.Write(dir, "memory.swap.max", swap < 0 ? "max" : Math.Max(0, swap - m.Limit.Value).ToString(CultureInfo.InvariantCulture));
            }
        }
        if (r.Cpu is { } c)
        {
            if (c.Shares is > 0)
                CgroupFiles.Write(dir, "cpu.weight", (1 + (c.Shares.Value - 2) * 9999 / 262142).ToString(CultureInfo.InvariantCulture));
            if (c.Quota is { } q && q != 0)
                CgroupFiles.Write(dir, "cpu.max", $"{(q < 0 ? "max" : q.ToString(CultureInfo.InvariantCulture))} {c.Period ?? 100000}");
        }
        if (r.Pids is { } p) CgroupFiles.Write(dir, "pids.max", p.Limit > 0 ? p.Limit.ToString(CultureInfo.InvariantCulture) : "max");
        // Device rules need an eBPF program on v2; the spec's devices list still limits what exists in /dev.
    }

    private sealed class CgroupV2(string dir, string name) : ICgroup
    {
        public string Name => name;

        public IReadOnlyList<string> ProcsFiles => [Path.Combine(dir, "cgroup.procs")];

        public bool Exists => Directory.Exists(dir);

        public bool OomKilled => CgroupFiles.KeyValue(CgroupFiles.Read(Path.Combine(dir, "memory.events")), "oom_kill") > 0;

        public CgroupStats Stats()
        {
            var stat = CgroupFiles.Read(Path.Combine(dir, "memory.stat"));
            long usage = CgroupFiles.ReadLong(Path.Combine(dir, "memory.current")) - CgroupFiles.KeyValue(stat, "inactive_file");
            long limit = CgroupFiles.ReadLong(Path.Combine(dir, "memory.max"), long.MaxValue);
            long host = CgroupFiles.HostMemory();
            if (host > 0 && limit > host) limit = host;
            long cpu = CgroupFiles.KeyValue(CgroupFiles.Read(Path.Combine(dir, "cpu.stat")), "usage_usec") * 1000;
            long read = 0, write = 0;
            foreach (var line in (CgroupFiles.Read(Path.Combine(dir, "io.stat")) ?? "").Split('\n'))
                foreach (var kv in line.Split(' '))
                {
                    if (kv.StartsWith("rbytes=", StringComparison.Ordinal) && long.TryParse(kv.AsSpan(7), CultureInfo.InvariantCulture, out var r)) read += r;
                    if (kv.StartsWith("wbytes=", StringComparison.Ordinal) && long.TryParse(kv.AsSpan(7), CultureInfo.InvariantCulture, out var w)) write += w;
                }
            return new CgroupStats(Math.Max(0, usage), limit, cpu, CgroupFiles.ReadLong(Path.Combine(dir, "pids.current")),
                CgroupFiles.ReadLong(Path.Combine(dir, "pids.max")), read, write);
        }

        public IReadOnlyList<int> Pids() => CgroupFiles.Procs(dir);

        public void Remove()
        {
            if (File.Exists(Path.Combine(dir, "cgroup.kill"))) { try { CgroupFiles.Write(dir, "cgroup.kill", "1"); } catch (BerthException) { } }
            CgroupFiles.RemoveDir(dir);
        }
    }
}
