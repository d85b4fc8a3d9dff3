using System.Globalization;
using Berth.Engine.Runtime.Cgroups;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Runtime.Spec;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Runtime;

/// <summary>
/// An OCI runtime binary (crun, runc, or a path) running the same bundle. The rootfs snapshot is mounted
/// on the bundle's rootfs on the host for it, and unmounted by <see cref="Cleanup"/>. The runtime's
/// <c>run</c> stays in the foreground as our child, so its exit status is the container's.
/// </summary>
public sealed class ExternalRuntime : IContainerRuntime
{
    private readonly string _binary;
    private readonly string _stateDir;

    public ExternalRuntime(string binary, string stateDir)
    {
        _binary = Resolve(binary);
        Name = binary;
        _stateDir = stateDir;
    }

    public string Name { get; }

    private static string Resolve(string binary)
    {
        if (binary.Contains('/')) return File.Exists(binary) ? Path.GetFullPath(binary) : throw new BerthException($"runtime binary not found: {binary}");
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").Split(':'))
        {
            var p = Path.Combine(dir, binary);
            if (File.Exists(p)) return p;
        }
        throw new BerthException($"unknown or invalid runtime name: {binary} (not found in $PATH)");
    }

    private List<string> Args(params string[] rest) => ["runtime", "--root", _stateDir, "--log", LogPath, .. rest];

    private string LogPath => Path.Combine(_stateDir, "runtime.log");

    /// <summary>The runtime's last complaint, from its log file.</summary>
    private string LastLogLine()
    {
        try
        {
            var last = File.ReadLines(LogPath).LastOrDefault(l => l.Trim().Length > 0) ?? "";
            return last.Length > 0 ? ": " + last.Trim() : "";
        }
        catch (IOException) { return ""; }
    }

    public RuntimeTask Start(RuntimeLaunch launch)
    {
        if (launch.Spec.Process?.Terminal == true) throw new BerthException($"-t is not supported with --runtime {Name} yet");
        Directory.CreateDirectory(_stateDir);
        var rootfsDir = Path.Combine(launch.BundleDir, launch.Spec.Root?.Path ?? "rootfs");
        if (launch.Rootfs is not null) MountRootfs(launch.Rootfs, rootfsDir);
        var pidFile = Path.Combine(launch.BundleDir, "runtime.pid");
        File.Delete(pidFile);
        try
        {
            var argv = Args("run", "--bundle", launch.BundleDir, "--pid-file", pidFile, launch.Id);
            argv[0] = _binary;
            int pid = Spawner.Spawn(_binary, argv, Env(), [launch.Stdio.Stdin, launch.Stdio.Stdout, launch.Stdio.Stderr]);
            int containerPid = WaitForPidFile(pid, pidFile);
            launch.BeforeStart?.Invoke(containerPid);
            return new RuntimeTask { WaitPid = pid, Pid = containerPid };
        }
        catch
        {
            Cleanup(launch.Id, launch.BundleDir);
            throw;
        }
    }

    private int WaitForPidFile(int runtimePid, string pidFile)
    {
        for (int i = 0; ; i++)
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
                return pid;
            if (ChildProcess.TryWait(runtimePid) is { } code)
                throw new BerthException($"{Name} could not start the container{LastLogLine()}", code is 126 or 127 ? code : BerthException.EngineError);
            Thread.Sleep(i < 100 ? 1 : 10);
        }
    }

    public RuntimeTask Exec(RuntimeExec exec)
    {
        if (exec.Process.Terminal) throw new BerthException($"-t is not supported with --runtime {Name} yet");
        var argv = Args("exec", "--cwd", exec.Process.Cwd, "--user",
            $"{exec.Process.User.Uid.ToString(CultureInfo.InvariantCulture)}:{exec.Process.User.Gid.ToString(CultureInfo.InvariantCulture)}");
        foreach (var e in exec.Process.Env ?? []) { argv.Add("--env"); argv.Add(e); }
        argv.Add(exec.Id);
        argv.AddRange(exec.Process.Args);
        argv[0] = _binary;
        int pid = Spawner.Spawn(_binary, argv, Env(), [exec.Stdio.Stdin, exec.Stdio.Stdout, exec.Stdio.Stderr]);
        return new RuntimeTask { WaitPid = pid, Pid = pid };
    }

    public void Signal(string id, int pid, int signal)
    {
        var argv = Args("kill", id, signal.ToString(CultureInfo.InvariantCulture));
        argv[0] = _binary;
        var (code, _) = ChildProcess.Run(_binary, argv);
        if (code != 0) Libc.kill(pid, signal);
    }

    public void Cleanup(string id, string bundleDir)
    {
        var argv = Args("delete", "--force", id);
        argv[0] = _binary;
        ChildProcess.Run(_binary, argv);
        var rootfs = Path.Combine(bundleDir, "rootfs");
        while (Libc.umount2(rootfs, 2 /* MNT_DETACH */) == 0) { }
        CgroupDrivers.Host.Open(CgroupDrivers.NameFor(id)).Remove();
    }

    private static void MountRootfs(Mount m, string target)
    {
        Directory.CreateDirectory(target);
        var f = MountFlags.Parse(m.Options, m.Type);
        int rc = f.IsBind
            ? Libc.mount(m.Source, target, null, (nuint)(MountFlags.BIND | MountFlags.REC), null)
            : Libc.mount(m.Source, target, m.Type, (nuint)f.Flags, f.Data);
        if (rc != 0) throw new BerthException($"cannot mount the rootfs on {target}: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
    }

    private static List<string> Env() => ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
}
