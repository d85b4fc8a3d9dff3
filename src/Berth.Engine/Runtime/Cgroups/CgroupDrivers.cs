namespace Berth.Engine.Runtime.Cgroups;

/// <summary>Finds how this host mounts cgroups (read once from /proc/self/mountinfo) and picks the driver.</summary>
public static class CgroupDrivers
{
    private static readonly Lazy<ICgroupDriver> s_host = new(Detect);

    public static ICgroupDriver Host => s_host.Value;

    /// <summary>On v1, each hierarchy's mount point and the controllers (mount options) it holds;
    /// what a container's /sys/fs/cgroup mounts again inside its cgroup namespace.</summary>
    public static IReadOnlyList<(string MountPoint, string Controllers)> V1Hierarchies => s_hierarchies.Value;

    private static readonly Lazy<List<(string, string)>> s_hierarchies = new(() =>
    {
        var list = new List<(string, string)>();
        foreach (var (fstype, mountPoint, options) in CgroupMounts())
        {
            if (fstype != "cgroup") continue;
            var controllers = options.Split(',').Where(o => o is not ("rw" or "ro" or "relatime" or "nosuid" or "nodev" or "noexec" or "clone_children" or "xattr")).ToList();
            if (controllers.Count > 0) list.Add((mountPoint, string.Join(',', controllers)));
        }
        return list;
    });

    /// <summary>The cgroup mounts of /proc/self/mountinfo, read once per process.</summary>
    private static IEnumerable<(string FsType, string MountPoint, string SuperOptions)> CgroupMounts() => s_mounts.Value;

    private static readonly Lazy<List<(string, string, string)>> s_mounts = new(() => ReadCgroupMounts().ToList());

    private static IEnumerable<(string FsType, string MountPoint, string SuperOptions)> ReadCgroupMounts()
    {
        var text = Interop.Fds.ReadText("/proc/self/mountinfo") ?? "";
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            var sep = line.IndexOf(" - cgroup", StringComparison.Ordinal);
            if (sep < 0) continue;
            var left = line[..sep].Split(' ');
            var right = line[(sep + 3)..].Split(' ');
            if (left.Length < 5 || right.Length < 3 || !right[0].StartsWith("cgroup", StringComparison.Ordinal)) continue;
            yield return (right[0], left[4].Replace("\\040", " "), right[2]);
        }
    }

    /// <summary>The cgroup name of a container: <c>berth/&lt;id&gt;</c> in every hierarchy.</summary>
    public static string NameFor(string containerId) => "berth/" + containerId;

    private static ICgroupDriver Detect()
    {
        var v1 = new Dictionary<string, string>();
        string? unifiedRoot = null;
        foreach (var (fstype, mountPoint, options) in CgroupMounts())
        {
            if (fstype == "cgroup2" && mountPoint == "/sys/fs/cgroup") unifiedRoot = mountPoint;
            else if (fstype == "cgroup")
                foreach (var opt in options.Split(','))
                    if (opt is "memory" or "pids" or "cpu" or "cpuacct" or "blkio" or "devices" or "freezer" or "cpuset" or "hugetlb")
                        v1.TryAdd(opt, mountPoint);
        }
        if (unifiedRoot is not null) return new CgroupV2Driver(unifiedRoot);
        if (v1.Count == 0) throw new BerthException("no cgroup filesystem is mounted under /sys/fs/cgroup", BerthException.EngineError);
        return new CgroupV1Driver(v1);
    }
}
