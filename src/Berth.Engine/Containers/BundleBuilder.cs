using Berth.Engine.Runtime.Cgroups;
using Berth.Engine.Runtime.Spec;
using Berth.Engine.Volumes;

namespace Berth.Engine.Containers;

/// <summary>
/// Writes a container's OCI bundle: the runtime spec docker would generate for its ContainerSpec
/// (namespaces, mounts, capabilities, limits, masked paths), plus the hosts, hostname and resolv.conf
/// files bound into it.
/// </summary>
public static class BundleBuilder
{
    public const long CpuPeriod = 100_000;

    public static RuntimeSpec Build(string id, ContainerSpec c, ContainerPaths paths, VolumeStore volumes)
    {
        bool hostNetwork = c.NetworkMode == "host";
        var caps = Capabilities.Resolve(c.CapAdd, c.CapDrop, c.Privileged);
        var env = new List<string>(c.Env);
        if (!env.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal))) env.Insert(0, SpecDefaults.DefaultPath);
        if (!env.Any(e => e.StartsWith("HOSTNAME=", StringComparison.Ordinal))) env.Insert(1, "HOSTNAME=" + c.Hostname);
        if (c.Tty && !env.Any(e => e.StartsWith("TERM=", StringComparison.Ordinal))) env.Add("TERM=xterm");

        var mounts = SpecDefaults.Mounts(ownNetwork: !hostNetwork, c.ShmSize);
        if (c.Privileged)
        {
            mounts.RemoveAll(m => m.Destination is "/dev" or "/sys");
            mounts.Insert(1, new SpecMount { Destination = "/dev", Type = "bind", Source = "/dev", Options = ["rbind", "nosuid"] });
            mounts.Add(new SpecMount { Destination = "/sys", Type = hostNetwork ? "bind" : "sysfs", Source = hostNetwork ? "/sys" : "sysfs", Options = hostNetwork ? ["rbind", "nosuid", "noexec", "nodev"] : ["nosuid", "noexec", "nodev"] });
        }
        mounts.Add(Bind(paths.ResolvConf, "/etc/resolv.conf", false));
        mounts.Add(Bind(paths.Hostname, "/etc/hostname", false));
        mounts.Add(Bind(paths.Hosts, "/etc/hosts", false));
        // docker mounts user mounts in order of depth, so /a is mounted before /a/b.
        foreach (var m in c.Mounts.OrderBy(m => m.Target.TrimEnd('/').Count(ch => ch == '/')))
            mounts.Add(m.Type switch
            {
                "bind" => Bind(m.Source, m.Target, m.ReadOnly, m.Options),
                "volume" => Bind(volumes.MountpointOf(m.Source), m.Target, m.ReadOnly),
                "tmpfs" => new SpecMount
                {
                    Destination = m.Target, Type = "tmpfs", Source = "tmpfs",
                    Options = ["nosuid", "nodev", "noexec", .. m.Options.Split(',', StringSplitOptions.RemoveEmptyEntries), .. m.ReadOnly ? new[] { "ro" } : []],
                },
                _ => throw new BerthException($"unknown mount type {m.Type}"),
            });

        var namespaces = new List<SpecNamespace> { new() { Type = "pid" }, new() { Type = "ipc" }, new() { Type = "uts" }, new() { Type = "mount" } };
        if (!hostNetwork) namespaces.Add(new() { Type = "network" });
        if (CgroupDrivers.Host.Version == "v2") namespaces.Add(new() { Type = "cgroup" });

        long swap = c.MemorySwap;
        if (c.Memory > 0 && swap == 0) swap = c.Memory * 2; // docker: as much swap as memory unless told
        return new RuntimeSpec
        {
            OciVersion = "1.0.2",
            Process = new SpecProcess
            {
                Terminal = c.Tty,
                User = new SpecUser { Uid = c.Uid, Gid = c.Gid, AdditionalGids = c.AdditionalGids.Count > 0 ? c.AdditionalGids : null },
                Args = c.Command,
                Env = env,
                Cwd = c.WorkingDir.Length > 0 ? c.WorkingDir : "/",
                Capabilities = new SpecCapabilities { Bounding = caps, Effective = caps, Permitted = caps },
                Rlimits = SpecDefaults.Rlimits(),
                NoNewPrivileges = !c.Privileged,
            },
            Root = new SpecRoot { Path = "rootfs", Readonly = c.ReadonlyRootfs },
            Hostname = c.Hostname,
            Mounts = mounts,
            Annotations = c.Init ? new() { ["org.berth.init"] = "true" } : null,
            Linux = new SpecLinux
            {
                Namespaces = namespaces,
                MaskedPaths = c.Privileged ? null : [.. SpecDefaults.MaskedPaths],
                ReadonlyPaths = c.Privileged ? null : [.. SpecDefaults.ReadonlyPaths],
                CgroupsPath = "/" + CgroupDrivers.NameFor(id),
                Resources = new SpecResources
                {
                    Devices = c.Privileged ? [new() { Allow = true, Access = "rwm" }] : SpecDefaults.DeviceRules(),
                    Memory = c.Memory > 0 ? new SpecMemory { Limit = c.Memory, Swap = swap } : null,
                    Cpu = c.NanoCpus > 0 ? new SpecCpu { Period = CpuPeriod, Quota = c.NanoCpus * (long)CpuPeriod / 1_000_000_000 } : null,
                    Pids = c.PidsLimit is { } p ? new SpecPids { Limit = p } : null,
                },
            },
        };
    }

    private static SpecMount Bind(string source, string target, bool readOnly, string propagation = "") => new()
    {
        Destination = target,
        Type = "bind",
        Source = source,
        Options = ["rbind", propagation.Length > 0 ? propagation : "rprivate", .. readOnly ? new[] { "ro" } : []],
    };

    /// <summary>/etc/hosts, /etc/hostname and /etc/resolv.conf as docker writes them for this network mode.
    /// Written in place: nothing reads the container's directory before its record exists.</summary>
    public static void WriteEtcFiles(ContainerSpec c, ContainerPaths paths)
    {
        BundleDirectories.WriteFile(paths.Hostname, c.Hostname + "\n");
        // on the host's network the host is loopback; a bridged container's entries are written again on attach
        string hosts = c.NetworkMode == "host" && File.Exists("/etc/hosts")
            ? File.ReadAllText("/etc/hosts").TrimEnd('\n') + "\n" + Networking.ExtraHosts.Lines(c.ExtraHosts, "127.0.0.1")
            : Networking.ResolvConf.Hosts(null, c.Hostname, c.ExtraHosts, gateway: null);
        BundleDirectories.WriteFile(paths.Hosts, hosts);
        // on the host's network the host's own file; else without loopback resolvers (see ResolvConf)
        string resolv = c.NetworkMode == "host" && File.Exists("/etc/resolv.conf")
            ? File.ReadAllText("/etc/resolv.conf")
            : Networking.ResolvConf.For(null, c.Dns, c.DnsSearch, c.DnsOptions);
        BundleDirectories.WriteFile(paths.ResolvConf, resolv);
    }
}
