namespace Berth.Engine.Runtime.Spec;

/// <summary>What docker puts in every container's runtime spec unless told otherwise.</summary>
public static class SpecDefaults
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static readonly string[] MaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

    public static readonly string[] ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>The kernel filesystems of a container: /proc, a tmpfs /dev with devpts, shm and mqueue, and /sys
    /// (read-only; bound from the host when the container shares the host's network namespace).</summary>
    public static List<SpecMount> Mounts(bool ownNetwork, long shmSize = 64L << 20) =>
    [
        new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
        new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
        ownNetwork
            ? new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] }
            : new() { Destination = "/sys", Type = "bind", Source = "/sys", Options = ["rbind", "nosuid", "noexec", "nodev", "ro"] },
        new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", $"size={shmSize / 1024}k"] },
    ];

    /// <summary>The device nodes every container gets (the runtime spec requires them).</summary>
    public static readonly SpecDevice[] Devices =
    [
        new() { Path = "/dev/null", Type = "c", Major = 1, Minor = 3, FileMode = 0x1b6 },
        new() { Path = "/dev/zero", Type = "c", Major = 1, Minor = 5, FileMode = 0x1b6 },
        new() { Path = "/dev/full", Type = "c", Major = 1, Minor = 7, FileMode = 0x1b6 },
        new() { Path = "/dev/random", Type = "c", Major = 1, Minor = 8, FileMode = 0x1b6 },
        new() { Path = "/dev/urandom", Type = "c", Major = 1, Minor = 9, FileMode = 0x1b6 },
        new() { Path = "/dev/tty", Type = "c", Major = 5, Minor = 0, FileMode = 0x1b6 },
    ];

    public static readonly (string Target, string Path)[] DeviceLinks =
    [
        ("/proc/self/fd", "/dev/fd"), ("/proc/self/fd/0", "/dev/stdin"), ("/proc/self/fd/1", "/dev/stdout"),
        ("/proc/self/fd/2", "/dev/stderr"), ("pts/ptmx", "/dev/ptmx"), ("/proc/kcore", "/dev/core"),
    ];

    /// <summary>docker's device cgroup: nothing but mknod and the default nodes, ptys and the console.</summary>
    public static List<SpecDeviceRule> DeviceRules() =>
    [
        new() { Allow = false, Access = "rwm" },
        new() { Allow = true, Type = "c", Access = "m" },
        new() { Allow = true, Type = "b", Access = "m" },
        new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 1, Minor = 7, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 1, Minor = 8, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 1, Minor = 9, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 5, Minor = 0, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 5, Minor = 1, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 5, Minor = 2, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 136, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 10, Minor = 200, Access = "rwm" },
    ];

    /// <summary>docker's open-files limit (1048576), or this host's own hard limit when berth may not raise it
    /// (no CAP_SYS_RESOURCE, as in some nested hosts).</summary>
    public static List<SpecRlimit> Rlimits()
    {
        ulong limit = 1048576;
        if (!HasCapability(24 /* CAP_SYS_RESOURCE */)) limit = Math.Min(limit, CurrentHardLimit(7 /* RLIMIT_NOFILE */));
        return [new() { Type = "RLIMIT_NOFILE", Soft = limit, Hard = limit }];
    }

    private static unsafe ulong CurrentHardLimit(int resource)
    {
        ulong* l = stackalloc ulong[2];
        return Interop.Libc.getrlimit(resource, l) == 0 ? l[1] : 1024;
    }

    private static bool HasCapability(int cap)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                return (ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) >> cap & 1) != 0;
        return false;
    }

    public static readonly Dictionary<string, int> RlimitNumbers = new()
    {
        ["RLIMIT_CPU"] = 0, ["RLIMIT_FSIZE"] = 1, ["RLIMIT_DATA"] = 2, ["RLIMIT_STACK"] = 3, ["RLIMIT_CORE"] = 4,
        ["RLIMIT_RSS"] = 5, ["RLIMIT_NPROC"] = 6, ["RLIMIT_NOFILE"] = 7, ["RLIMIT_MEMLOCK"] = 8, ["RLIMIT_AS"] = 9,
        ["RLIMIT_LOCKS"] = 10, ["RLIMIT_SIGPENDING"] = 11, ["RLIMIT_MSGQUEUE"] = 12, ["RLIMIT_NICE"] = 13,
        ["RLIMIT_RTPRIO"] = 14, ["RLIMIT_RTTIME"] = 15,
    };
}
