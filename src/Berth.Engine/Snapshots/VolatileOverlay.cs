namespace Berth.Engine.Snapshots;

/// <summary>
/// An overlay for a writable layer nobody keeps (a <c>--rm</c> container): with overlayfs' <c>volatile</c>
/// option the kernel skips every sync of the upper filesystem, above all the syncfs of the whole host
/// filesystem that unmounting a writable overlay does (it waits for every dirty page on the disk, other
/// programs' too, and sits on the container's exit path). The kernel marks such a workdir
/// (<c>work/work/incompat/volatile</c>) and refuses to mount it again; a layer that is mounted again
/// anyway (a <c>--rm</c> container started again after its CLI died) gets the mark cleared first.
/// </summary>
public static class VolatileOverlay
{
    public static Mount For(Mount m)
    {
        if (m.Type != "overlay" || m.ReadOnly || m.Options.Contains("volatile")) return m;
        var work = m.Options.FirstOrDefault(o => o.StartsWith("workdir=", StringComparison.Ordinal))?[8..];
        if (work is null) return m;
        var mark = Path.Combine(work, "work", "incompat");
        if (Directory.Exists(mark)) Directory.Delete(mark, recursive: true);
        return m with { Options = [.. m.Options, "volatile"] };
    }
}
