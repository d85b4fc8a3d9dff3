namespace Berth.Engine.Runtime.Spec;

/// <summary>Linux capability names and numbers, docker's default set, and --cap-add/--cap-drop.</summary>
public static class Capabilities
{
    public static readonly string[] All =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>docker's default capability set.</summary>
    public static readonly string[] DockerDefault =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    private static readonly Lazy<ulong> s_bounding = new(() =>
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
                return ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        return ulong.MaxValue;
    });

    /// <summary>The capabilities berth itself may hand out (its bounding set: on a nested host some are
    /// missing): what --privileged and ALL mean.</summary>
    public static IEnumerable<string> Known => All.Where((_, i) => (s_bounding.Value >> i & 1) != 0);

    /// <summary>"net_admin", "NET_ADMIN" or "CAP_NET_ADMIN" as the canonical name; ALL stays ALL.</summary>
    public static string Normalize(string name)
    {
        var n = name.Trim().ToUpperInvariant();
        if (n == "ALL") return n;
        if (!n.StartsWith("CAP_", StringComparison.Ordinal)) n = "CAP_" + n;
        if (Array.IndexOf(All, n) < 0) throw new BerthException($"invalid capability: {name}");
        return n;
    }

    /// <summary>docker's rule: start from the defaults (or all when privileged), drop, then add; ALL works in both.</summary>
    public static List<string> Resolve(IEnumerable<string> add, IEnumerable<string> drop, bool privileged)
    {
        var adds = add.Select(Normalize).ToList();
        var drops = drop.Select(Normalize).ToList();
        if (privileged) return Known.ToList();
        var set = DockerDefault.Where(Known.Contains).ToList();
        if (drops.Contains("ALL")) set.Clear();
        else set.RemoveAll(drops.Contains);
        if (adds.Contains("ALL")) set = Known.ToList();
        else foreach (var a in adds) if (!set.Contains(a)) set.Add(a);
        return set;
    }

    public static ulong Mask(IEnumerable<string>? names)
    {
        ulong mask = 0;
        if (names is null) return 0;
        foreach (var n in names)
        {
            int i = Array.IndexOf(All, Normalize(n));
            mask |= 1UL << i;
        }
        return mask;
    }
}
