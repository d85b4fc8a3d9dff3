using System.Globalization;
using Berth.Engine.Runtime.Cgroups;
using Berth.Engine.Runtime.Spec;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Runtime.Stage;

/// <summary>Turns an OCI runtime spec into the stage's records: the built-in runtime's whole translation.</summary>
public static class StageConfigBuilder
{
    private static readonly Dictionary<string, string> s_namespaces = new()
    {
        ["pid"] = "pid", ["network"] = "net", ["mount"] = "mnt", ["ipc"] = "ipc", ["uts"] = "uts", ["cgroup"] = "cgroup", ["user"] = "user",
    };

    public static StageConfig ForCreate(RuntimeSpec spec, string bundleDir, Mount? rootfs, ICgroup? cgroup, bool init)
    {
        var c = new StageConfig();
        var linux = spec.Linux ?? new SpecLinux();
        bool newNet = false, newUts = false, newMnt = false;
        foreach (var ns in linux.Namespaces ?? [])
        {
            if (!s_namespaces.TryGetValue(ns.Type, out var name)) throw new BerthException($"namespace type \"{ns.Type}\" is not supported");
            if (name == "user") throw new BerthException("user namespaces are not supported by the built-in runtime yet");
            if (ns.Path is { Length: > 0 } path) c.Add("setns", name, path);
            else
            {
                c.Add("ns", name);
                newNet |= name == "net";
                newUts |= name == "uts";
                newMnt |= name == "mnt";
            }
        }
        if (!newMnt) throw new BerthException("the runtime spec must give the container a mount namespace");
        if (cgroup is not null) foreach (var f in cgroup.ProcsFiles) c.Add("cgroup", f);
        if (newUts && spec.Hostname is { Length: > 0 } host) c.Add("hostname", host);
        if (newNet) c.Add("lo", "1");

        var root = spec.Root ?? new SpecRoot();
        c.Add("rootfs", Path.IsPathRooted(root.Path) ? root.Path : Path.Combine(bundleDir, root.Path));
        if (rootfs is not null)
        {
            var f = MountFlags.Parse(rootfs.Options, rootfs.Type);
            c.Add("rootmount", f.IsBind ? "" : rootfs.Type, rootfs.Source, Num(f.Flags | (f.IsBind ? MountFlags.REC : 0)), f.Data);
        }
        ulong rootPropagation = linux.RootfsPropagation is { Length: > 0 } p ? MountFlags.ParsePropagation(p) : MountFlags.SLAVE | MountFlags.REC;
        c.Add("rootprop", Num(rootPropagation));
        if (root.Readonly) c.Add("readonly_root", "1");

        bool devBound = false;
        foreach (var m in spec.Mounts ?? [])
        {
            if (m.Type is "cgroup" or "cgroup2") { AddCgroupMounts(c, m); continue; }
            var f = MountFlags.Parse(m.Options, m.Type);
            var source = m.Source ?? "";
            if (f.IsBind && !Path.IsPathRooted(source)) source = Path.Combine(bundleDir, source);
            if (f.IsBind && m.Destination == "/dev") devBound = true;
            // Under a root that is not shared a new mount is private already: skip the extra syscall.
            ulong propagation = f.Propagation == (MountFlags.PRIVATE | MountFlags.REC) && (rootPropagation & MountFlags.SHARED) == 0 ? 0 : f.Propagation;
            c.Add("mount", f.IsBind ? "" : m.Type ?? "", source, Clean(m.Destination), Num(f.Flags), Num(propagation), f.Data);
        }
        if (!devBound)
        {
            var devices = new Dictionary<string, SpecDevice>();
            foreach (var d in SpecDefaults.Devices) devices[d.Path] = d;
            foreach (var d in linux.Devices ?? []) devices[d.Path] = d;
            foreach (var d in devices.Values)
                c.Add("device", Clean(d.Path), d.Type == "b" ? "b" : "c", Num((ulong)d.Major), Num((ulong)d.Minor),
                    Num(d.FileMode ?? 0x1b6), Num(d.Uid ?? 0), Num(d.Gid ?? 0));
            foreach (var (target, path) in SpecDefaults.DeviceLinks) c.Add("link", target, path);
        }
        foreach (var p2 in linux.MaskedPaths ?? []) c.Add("masked", p2);
        foreach (var p2 in linux.ReadonlyPaths ?? []) c.Add("readonly", p2);
        AddProcess(c, spec.Process ?? throw new BerthException("the runtime spec has no process"));
        if (init) c.Add("init", "1");
        return c;
    }

    public static StageConfig ForExec(int containerPid, SpecProcess process, ICgroup? cgroup)
    {
        var c = new StageConfig();
        if (cgroup is not null) foreach (var f in cgroup.ProcsFiles) if (File.Exists(f)) c.Add("cgroup", f);
        var pid = containerPid.ToString(CultureInfo.InvariantCulture);
        foreach (var ns in new[] { "ipc", "uts", "net", "pid", "cgroup", "mnt" })
            c.Add("setns", ns, $"/proc/{pid}/ns/{ns}");
        AddProcess(c, process);
        return c;
    }

    private static void AddProcess(StageConfig c, SpecProcess p)
    {
        c.Add("uid", Num(p.User.Uid));
        c.Add("gid", Num(p.User.Gid));
        foreach (var g in p.User.AdditionalGids ?? []) c.Add("group", Num(g));
        if (p.Capabilities is { } caps)
            c.Add("caps", Hex(caps.Bounding), Hex(caps.Effective), Hex(caps.Permitted), Hex(caps.Inheritable), Hex(caps.Ambient));
        if (p.NoNewPrivileges) c.Add("nnp", "1");
        foreach (var r in p.Rlimits ?? [])
        {
            if (!SpecDefaults.RlimitNumbers.TryGetValue(r.Type, out var n)) throw new BerthException($"unknown rlimit type {r.Type}");
            c.Add("rlimit", Num((ulong)n), Num(r.Soft), Num(r.Hard));
        }
        if (p.OomScoreAdj is { } oom) c.Add("oom", oom.ToString(CultureInfo.InvariantCulture));
        c.Add("cwd", p.Cwd is { Length: > 0 } cwd ? cwd : "/");
        foreach (var e in p.Env ?? []) c.Add("env", e);
        if (p.Args.Count == 0) throw new BerthException("no command specified");
        foreach (var a in p.Args) c.Add("arg", a);
        if (p.Terminal) c.Add("tty", "1");
        if (p.Terminal && p.ConsoleSize is { Height: > 0, Width: > 0 } size) c.Add("console", Num(size.Height), Num(size.Width));
    }

    /// <summary>/sys/fs/cgroup inside the container: on v2 one cgroup2 mount; on v1 a tmpfs with each
    /// hierarchy mounted again (inside the cgroup namespace each shows the container's own cgroup as root).</summary>
    private static void AddCgroupMounts(StageConfig c, SpecMount m)
    {
        var f = MountFlags.Parse(m.Options);
        var dest = Clean(m.Destination);
        if (CgroupDrivers.Host.Version == "v2")
        {
            c.Add("mount", "cgroup2", "cgroup", dest, Num(f.Flags), "0", "");
            return;
        }
        c.Add("mount", "tmpfs", "tmpfs", dest, Num(MountFlags.NOSUID | MountFlags.NODEV | MountFlags.NOEXEC), "0", "mode=755");
        foreach (var (mountPoint, controllers) in CgroupDrivers.V1Hierarchies)
            c.Add("mount", "cgroup", "cgroup", dest + "/" + Path.GetFileName(mountPoint), Num(f.Flags), "0", controllers);
    }

    private static string Clean(string path) => "/" + path.Trim('/');

    private static string Num(ulong v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Hex(List<string>? caps) => "0x" + Capabilities.Mask(caps).ToString("x", CultureInfo.InvariantCulture);
}
