using System.IO.Pipelines;
using Berth.Engine.Layers;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Containers;

/// <summary>
/// A container's files seen from the host: <c>diff</c> (its overlay upper directory against the image's
/// layers) and <c>cp</c> in both directions. A running container is reached through /proc/PID/root (its
/// volumes included); a stopped one has its overlay mounted on the bundle's rootfs while the copy runs.
/// Paths are resolved inside the container's root (openat2 RESOLVE_IN_ROOT), so its symlinks cannot lead out.
/// </summary>
public sealed class ContainerFilesystem(ContainerService service)
{
    public IReadOnlyList<Change> Diff(Container c)
    {
        var snapshots = service.Snapshots;
        return LayerDiff.Changes(snapshots.ChangesDir(c.SnapshotKey), snapshots.LowerDirs(c.SnapshotKey));
    }

    /// <summary>What a path in the container is: null when it does not exist.</summary>
    public FileStat.Info? Stat(Container c, string path) => WithRoot(c, root =>
    {
        using var file = InRoot.Open(root, path);
        return file?.Stat();
    });

    /// <summary>Writes a tar of <paramref name="path"/> (a file or a tree) whose top entry is named <paramref name="name"/>.</summary>
    public void CopyOut(Container c, string path, string name, Stream output) => WithRoot(c, root =>
    {
        using var file = InRoot.Open(root, path);
        if (file?.Stat() is null) throw new NotFoundException($"Could not find the file {path} in container {c.Name}");
        LayerDiff.WriteTree(file.Path, output, new TreeOptions { NamePrefix = name });
        return 0;
    });

    /// <summary>Extracts a tar into the directory <paramref name="dir"/> of the container.</summary>
    public void CopyIn(Container c, string dir, Stream tar, bool keepOwnership) => WithRoot(c, root =>
    {
        using var file = InRoot.Open(root, dir);
        var st = file?.Stat() ?? throw new NotFoundException($"Could not find the file {dir} in container {c.Name}");
        if (!st.IsDirectory) throw new BerthException($"extraction point is not a directory: {dir}");
        LayerApplier.Apply(tar, file!.Path, new ApplyOptions { Whiteouts = WhiteoutMode.Delete, RestoreOwnership = keepOwnership });
        return 0;
    });

    /// <summary>Streams a tar from one side to the other without holding it whole.</summary>
    public static void Pipe(Action<Stream> produce, Action<Stream> consume)
    {
        var pipe = new Pipe();
        var producer = Task.Run(() =>
        {
            try
            {
                using var w = pipe.Writer.AsStream();
                produce(w);
            }
            catch (Exception e)
            {
                pipe.Writer.Complete(e);
                throw;
            }
        });
        try
        {
            using var r = pipe.Reader.AsStream();
            consume(r);
        }
        finally
        {
            pipe.Reader.Complete();
        }
        producer.GetAwaiter().GetResult();
    }

    private T WithRoot<T>(Container c, Func<string, T> action)
    {
        if (c.State == ContainerState.Running && ChildProcess.IsAlive(c.Pid, c.PidStart)) return action($"/proc/{c.Pid}/root");
        var rootfs = service.Paths(c.Id).Rootfs;
        var mount = service.Snapshots.Mounts(c.SnapshotKey)[0];
        Directory.CreateDirectory(rootfs);
        var flags = Runtime.Spec.MountFlags.Parse(mount.Options, mount.Type);
        int rc = flags.IsBind
            ? Libc.mount(mount.Source, rootfs, null, (nuint)(Runtime.Spec.MountFlags.BIND | Runtime.Spec.MountFlags.REC), null)
            : Libc.mount(mount.Source, rootfs, mount.Type, (nuint)flags.Flags, flags.Data);
        if (rc != 0) throw new BerthException($"cannot mount the container's filesystem: {Libc.Error(Libc.Errno)}", BerthException.EngineError);
        try { return action(rootfs); }
        finally { Libc.umount2(rootfs, 2 /* MNT_DETACH */); }
    }
}
