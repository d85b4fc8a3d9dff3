using Berth.Engine.Containers;
using Berth.Engine.Runtime;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Runtime.Spec;
using Berth.Engine.Runtime.Stage;
using Berth.Engine.Snapshots;
using Berth.Engine.Volumes;

namespace Berth.Engine.Build.Execution.Run;

/// <summary>What one RUN executes: the process, its user, environment and network.</summary>
internal sealed record RunSpec
{
    public required IReadOnlyList<string> Args { get; init; }
    public required IReadOnlyList<string> Env { get; init; }
    public string User { get; init; } = "";
    public string WorkingDir { get; init; } = "";
    /// <summary>bridge (the default bridge network), none or host.</summary>
    public string Network { get; init; } = "bridge";
    /// <summary>A here-document script to mount read-only at /dev/pipes/NAME, mode 0755.</summary>
    public (string Name, string Content)? Script { get; init; }
    public List<MountSpec> Mounts { get; init; } = [];
}

/// <summary>
/// A RUN step's container: a short-lived container of the built-in runtime on the step's active
/// snapshot, with docker's defaults (the same spec <c>run</c> gets, from <see cref="BundleBuilder"/>),
/// its own cgroup, stdout and stderr merged into one stream for the build's output, and no
/// container record. Its bundle and cgroup are removed when it exits, and the mount points the
/// runtime had to create are taken out of the step's changes.
/// </summary>
internal sealed class RunContainer(StateRoot root, VolumeStore volumes)
{
    public int Run(RunSpec run, string snapshotKey, ISnapshotter snapshots, object storeLock,
        Action<string> started, Action<ReadOnlySpan<byte>> output, CancellationToken ct)
    {
        var id = NameGenerator.NewId();
        var paths = new ContainerPaths(BundlesDir(root.TmpDir, Environment.ProcessId), id);
        Directory.CreateDirectory(paths.Rootfs);
        try
        {
            Mount rootfs;
            string upper;
            IReadOnlyList<string> lowers;
            lock (storeLock)
            {
                rootfs = snapshots.Mounts(snapshotKey)[0];
                upper = snapshots.ChangesDir(snapshotKey);
                lowers = snapshots.LowerDirs(snapshotKey);
            }
            var user = UserResolver.Resolve(run.User, p => LayeredFiles.ReadText([upper, .. lowers], p));
            var mounts = new List<MountSpec>(run.Mounts);
            if (run.Script is { } script)
            {
                var pipes = Path.Combine(paths.Dir, "pipes");
                Directory.CreateDirectory(pipes);
                var file = Path.Combine(pipes, script.Name);
                File.WriteAllText(file, script.Content);
                File.SetUnixFileMode(file, (UnixFileMode)0x1ED);
                mounts.Add(new MountSpec { Type = "bind", Source = pipes, Target = "/dev/pipes", ReadOnly = true });
            }
            var spec = new ContainerSpec
            {
                Image = "",
                ImageId = "",
                Hostname = id[..12],
                User = run.User,
                Uid = user.Uid,
                Gid = user.Gid,
                AdditionalGids = user.AdditionalGids,
                Env = [.. run.Env],
                Cmd = [.. run.Args],
                WorkingDir = run.WorkingDir,
                NetworkMode = run.Network,
                Mounts = mounts,
            };
            BundleBuilder.WriteEtcFiles(spec, paths);
            var runtimeSpec = BundleBuilder.Build(id, spec, paths, volumes);
            var stubs = MountStubs.Plan(lowers, (runtimeSpec.Mounts ?? []).Select(m => m.Destination));
            Func<int, IDisposable>? attach = run.Network == "bridge" ? pid => new Networking.TransientNetworking(root).Attach(id, pid) : null;
            int code = Start(id, paths, runtimeSpec, rootfs, attach, started, output, ct);
            stubs.Remove(upper);
            return code;
        }
        finally
        {
            try { Directory.Delete(paths.Dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Where the RUN containers of build process <paramref name="pid"/> keep their bundles.</summary>
    public static string BundlesDir(string tmpDir, int pid) => Path.Combine(tmpDir, $"build-run-{pid}");

    private static int Start(string id, ContainerPaths paths, RuntimeSpec spec, Mount rootfs, Func<int, IDisposable>? attach,
        Action<string> started, Action<ReadOnlySpan<byte>> output, CancellationToken ct)
    {
        var runtime = BuiltinRuntime.Instance;
        var (read, write) = Fds.Pipe();
        int nul = Fds.Open("/dev/null", Libc.O_RDONLY);
        RuntimeTask task;
        IDisposable? network = null;
        try
        {
            task = runtime.Start(new RuntimeLaunch(id, paths.Bundle, spec, rootfs, new StageStdio(nul, write, write))
            {
                BeforeStart = attach is null ? null : pid => network = attach(pid),
            });
        }
        catch
        {
            Fds.Close(ref read);
            network?.Dispose();
            throw;
        }
        finally
        {
            Fds.Close(ref write);
            Fds.Close(ref nul);
        }
        started(id);
        using var kill = ct.Register(() => Libc.kill(task.Pid, 9));
        try
        {
            var buffer = new byte[16384];
            int n;
            while ((n = Fds.Read(read, buffer)) > 0) output(buffer.AsSpan(0, n));
            return ChildProcess.Wait(task.WaitPid);
        }
        finally
        {
            Fds.Close(ref read);
            try { runtime.Cleanup(id, paths.Bundle); } catch (BerthException) { }
            network?.Dispose();
        }
    }
}
