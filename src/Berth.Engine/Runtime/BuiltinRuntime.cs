using Berth.Engine.Runtime.Cgroups;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Runtime.Spec;
using Berth.Engine.Runtime.Stage;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Runtime;

/// <summary>
/// Berth's own OCI runtime: the spec becomes records for the C stage, which creates the namespaces,
/// mounts the rootfs inside the container's mount namespace (nothing is mounted on the host), and
/// execs the payload. cgroups are made here, before the stage joins them.
/// </summary>
public sealed class BuiltinRuntime : IContainerRuntime
{
    public static BuiltinRuntime Instance { get; } = new();

    public string Name => "berth";

    public static string CgroupName(RuntimeSpec spec, string id) =>
        spec.Linux?.CgroupsPath is { Length: > 0 } p ? p.TrimStart('/') : CgroupDrivers.NameFor(id);

    public RuntimeTask Start(RuntimeLaunch launch)
    {
        var spec = launch.Spec;
        var process = spec.Process ?? throw new BerthException("the runtime spec has no process");
        var cgroup = CgroupDrivers.Host.Create(CgroupName(spec, launch.Id), spec.Linux?.Resources);
        Phases.Mark("runtime: cgroups made");
        try
        {
            var config = StageConfigBuilder.ForCreate(spec, launch.BundleDir, launch.Rootfs, cgroup, launch.Init);
            var stage = StageProcess.Start(StageMode.Create, config, launch.Stdio, process.Terminal);
            Phases.Mark("runtime: stage reported the pid");
            try
            {
                launch.BeforeStart?.Invoke(stage.Pid);
                stage.Go();
                stage.WaitExec();
            }
            catch
            {
                Libc.kill(stage.Pid, 9);
                unsafe { int st; Libc.waitpid(stage.Pid, &st, 0); }
                if (stage.PtyMaster >= 0) Libc.close(stage.PtyMaster);
                throw;
            }
            finally
            {
                stage.Dispose();
            }
            return new RuntimeTask { WaitPid = stage.Pid, Pid = stage.Pid, PtyMaster = stage.PtyMaster };
        }
        catch
        {
            cgroup.Remove();
            throw;
        }
    }

    public RuntimeTask Exec(RuntimeExec exec)
    {
        var cgroup = CgroupDrivers.Host.Open(CgroupDrivers.NameFor(exec.Id));
        var config = StageConfigBuilder.ForExec(exec.ContainerPid, exec.Process, cgroup);
        using var stage = StageProcess.Start(StageMode.Exec, config, exec.Stdio, exec.Process.Terminal);
        stage.Go();
        stage.WaitExec();
        return new RuntimeTask { WaitPid = stage.Pid, Pid = stage.Pid, PtyMaster = stage.PtyMaster };
    }

    public void Signal(string id, int pid, int signal)
    {
        if (Libc.kill(pid, signal) != 0 && Libc.Errno != Libc.ESRCH)
            throw new BerthException($"cannot signal container {id}: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
    }

    /// <summary>Removes the container's cgroup (<c>berth/&lt;id&gt;</c>, where Berth's bundles put it).</summary>
    public void Cleanup(string id, string bundleDir) => CgroupDrivers.Host.Open(CgroupDrivers.NameFor(id)).Remove();
}
