using System.Globalization;
using Berth.Engine.Runtime.Spec;

namespace Berth.Engine.Runtime.Cgroups;

/// <summary>
/// cgroup v1: one hierarchy per controller (or group of co-mounted controllers), each mounted under
/// /sys/fs/cgroup. A container's cgroup is the same relative path in each hierarchy Berth uses.
/// </summary>
public sealed class CgroupV1Driver : ICgroupDriver
{
    /// <summary>The controllers a container joins; cpuset, freezer and hugetlb are left to the parent.</summary>
    private static readonly string[] Used = ["memory", "pids", "cpu", "cpuacct", "blkio", "devices"];

    private readonly Dictionary<string, string> _mounts; // controller -> mount point

    public CgroupV1Driver(Dictionary<string, string> mounts) => _mounts = mounts;

    public string Version => "v1";

    public ICgroup Open(string name) => new CgroupV1(name, _mounts, withCpu: true);

    /// <summary>The cpu hierarchy (CFS quota, shares) only when a CPU limit asks for it; usage comes from cpuacct.</summary>
    public ICgroup Create(string name, SpecResources? resources)
    {
        var cg = new CgroupV1(name, _mounts, withCpu: resources?.Cpu is not null);
        try
        {
            foreach (var dir in cg.Dirs) Directory.CreateDirectory(dir);
            Apply(cg, resources);
        }
        catch
        {
            cg.Remove();
            throw;
        }
        return cg;
    }

    private static void Apply(CgroupV1 cg, SpecResources? r)
    {
        if (r is null) return;
        if (r.Memory is { } m && cg.Dir("memory") is { } mem)
        {
            if (m.Reservation is > 0) CgroupFiles.Write(mem, "memory.soft_limit_in_bytes", m.Reservation.Value.ToString(CultureInfo.InvariantCulture));
            if (m.Limit is > 0)
            {
                CgroupFiles.Write(mem, "memory.limit_in_bytes", m.Limit.Value.ToString(CultureInfo.InvariantCulture));
                if (m.Swap is { } swap && swap != 0 && File.Exists(Path.Combine(mem, "memory.memsw.limit_in_bytes")))
                    CgroupFiles.Write(mem, "memory.memsw.limit_in_bytes", swap < 0 ? "-1" : swap.ToString(CultureInfo.InvariantCulture));
            }
        }
        if (r.Cpu is { } c && cg.Dir("cpu") is { } cpu)
        {
            if (c.Shares is > 0) CgroupFiles.Write(cpu, "cpu.shares", c.Shares.Value.ToString(CultureInfo.InvariantCulture));
            if (c.Period is > 0) CgroupFiles.Write(cpu, "cpu.cfs_period_us", c.Period.Value.ToString(CultureInfo.InvariantCulture));
            if (c.Quota is { } q && q != 0) CgroupFiles.Write(cpu, "cpu.cfs_quota_us", q.ToString(CultureInfo.InvariantCulture));
        }
        if (r.Pids is { } p && cg.Dir("pids") is { } pids)
            CgroupFiles.Write(pids, "pids.max", p.Limit > 0 ? p.Limit.ToString(CultureInfo.InvariantCulture) : "max");
        if (r.Devices is { Count: > 0 } rules && cg.Dir("devices") is { } devices)
            foreach (var rule in rules)
                CgroupFiles.Write(devices, rule.Allow ? "devices.allow" : "devices.deny", DeviceRule(rule));
    }

    /// <summary>"c 1:3 rwm", or "a" for every device.</summary>
    internal static string DeviceRule(SpecDeviceRule r)
    {
        if (r.Type is null or "a" && r.Major is null && r.Minor is null) return "a";
        string n(long? v) => v is null or -1 ? "*" : v.Value.ToString(CultureInfo.InvariantCulture);
        return $"{r.Type ?? "a"} {n(r.Major)}:{n(r.Minor)} {r.Access ?? "rwm"}";
    }

    private sealed class CgroupV1 : ICgroup
    {
        private readonly Dictionary<string, string> _dirs = new();

        public CgroupV1(string name, Dictionary<string, string> mounts, bool withCpu)
        {
            Name = name;
            foreach (var c in Used)
                if ((withCpu || c != "cpu" || mounts.GetValueOrDefault("cpu") == mounts.GetValueOrDefault("cpuacct"))
                    && mounts.TryGetValue(c, out var mount))
                    _dirs[c] = Path.Combine(mount, name);
        }

        public string Name { get; }

        public IEnumerable<string> Dirs => _dirs.Values.Distinct();

        public string? Dir(string controller) => _dirs.GetValueOrDefault(controller);

        /// <summary>The <c>tasks</c> files: the stage is single-threaded, and moving one thread skips the
        /// global threadgroup lock that makes a first <c>cgroup.procs</c> write wait ~10 ms for RCU.</summary>
        public IReadOnlyList<string> ProcsFiles => Dirs.Select(d => Path.Combine(d, "tasks")).ToList();

        public bool Exists => Dirs.Any(Directory.Exists);

        public bool OomKilled => Dir("memory") is { } m && CgroupFiles.KeyValue(CgroupFiles.Read(Path.Combine(m, "memory.oom_control")), "oom_kill") > 0;

        public CgroupStats Stats()
        {
            long memUsage = 0, memLimit = 0, cpu = 0, pids = 0, pidsLimit = 0, read = 0, write = 0;
            if (Dir("memory") is { } m)
            {
                var stat = CgroupFiles.Read(Path.Combine(m, "memory.stat"));
                memUsage = CgroupFiles.ReadLong(Path.Combine(m, "memory.usage_in_bytes")) - CgroupFiles.KeyValue(stat, "total_inactive_file");
                memLimit = CgroupFiles.ReadLong(Path.Combine(m, "memory.limit_in_bytes"));
                long host = CgroupFiles.HostMemory();
                if (host > 0 && memLimit > host) memLimit = host;
            }
            if (Dir("cpuacct") is { } ca) cpu = CgroupFiles.ReadLong(Path.Combine(ca, "cpuacct.usage"));
            if (Dir("pids") is { } p)
            {
                pids = CgroupFiles.ReadLong(Path.Combine(p, "pids.current"));
                pidsLimit = CgroupFiles.ReadLong(Path.Combine(p, "pids.max"));
            }
            if (Dir("blkio") is { } b)
            {
                var text = CgroupFiles.Read(Path.Combine(b, "blkio.throttle.io_service_bytes_recursive"))
                    ?? CgroupFiles.Read(Path.Combine(b, "blkio.throttle.io_service_bytes"));
                foreach (var line in (text ?? "").Split('\n'))
                {
                    var f = line.Split(' ');
                    if (f.Length != 3 || !long.TryParse(f[2], CultureInfo.InvariantCulture, out var v)) continue;
                    if (f[1] == "Read") read += v;
                    else if (f[1] == "Write") write += v;
                }
            }
            return new CgroupStats(Math.Max(0, memUsage), memLimit, cpu, pids, pidsLimit, read, write);
        }

        public IReadOnlyList<int> Pids() => CgroupFiles.Procs(Dir("pids") ?? Dir("memory") ?? Dirs.First());

        public void Remove()
        {
            // Freeze-free kill: SIGKILL what is there, then rmdir each hierarchy.
            foreach (var dir in Dirs) CgroupFiles.RemoveDir(dir);
        }
    }
}
