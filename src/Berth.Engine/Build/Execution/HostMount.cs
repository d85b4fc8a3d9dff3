using Berth.Engine.Runtime.Interop;
using Berth.Engine.Runtime.Spec;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Build.Execution;

/// <summary>
/// A snapshot made visible on the host for a moment (a COPY writing into a build step, a COPY
/// --from reading another stage, <c>export</c> walking a container): a single-directory snapshot is
/// used in place; an overlay is mounted (private) on a temp directory and unmounted on dispose.
/// <see cref="CleanStale"/> detaches what a killed process left mounted.
/// </summary>
public sealed class HostMount : IDisposable
{
    private const string Prefix = "build-mnt-";
    private readonly bool _mounted;
    private readonly bool _ownsDirectory;

    private HostMount(string path, bool mounted, bool ownsDirectory = false)
    {
        Path = path;
        _mounted = mounted;
        _ownsDirectory = ownsDirectory;
    }

    /// <summary>The root directory of the snapshot's filesystem.</summary>
    public string Path { get; }

    public static HostMount Of(Mount m, string tmpDir)
    {
        var flags = MountFlags.Parse(m.Options, m.Type);
        if (flags.IsBind) return new HostMount(m.Source, mounted: false);
        var target = System.IO.Path.Combine(tmpDir, $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(target);
        if (Libc.mount(m.Source, target, m.Type, (nuint)flags.Flags, flags.Data) != 0)
        {
            int errno = Libc.Errno;
            Directory.Delete(target);
            throw new BerthException($"cannot mount the build step's filesystem: {Libc.Error(errno)}", BerthException.EngineError);
        }
        Libc.mount(null, target, null, (nuint)MountFlags.PRIVATE, null);
        return new HostMount(target, mounted: true);
    }

    /// <summary>An empty directory (the filesystem of a state without layers), removed on dispose.</summary>
    public static HostMount Empty(string tmpDir)
    {
        var dir = System.IO.Path.Combine(tmpDir, $"build-empty-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return new HostMount(dir, mounted: false, ownsDirectory: true);
    }

    public void Dispose()
    {
        if (_ownsDirectory) { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
        if (!_mounted) return;
        if (Libc.umount2(Path, 0) != 0) Libc.umount2(Path, 2 /* MNT_DETACH */);
        try { Directory.Delete(Path); } catch (IOException) { }
    }

    /// <summary>Detaches mounts under <paramref name="tmpDir"/> whose build process is gone.</summary>
    public static void CleanStale(string tmpDir)
    {
        var prefix = System.IO.Path.Combine(tmpDir, Prefix);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var point = line.Split(' ')[4].Replace("\\040", " ");
            if (!point.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var pid = point[prefix.Length..].Split('-')[0];
            if (int.TryParse(pid, out var p) && p != Environment.ProcessId && Directory.Exists($"/proc/{p}")) continue;
            Libc.umount2(point, 2 /* MNT_DETACH */);
            try { Directory.Delete(point); } catch (IOException) { }
        }
    }
}
