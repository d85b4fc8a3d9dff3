using System.Runtime.InteropServices;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Util;

namespace Berth.Engine.Snapshots;

/// <summary>
/// Empty writable-layer directories (<c>fs</c> and <c>work</c>) kept for the next container instead of
/// being deleted and made again. A container that wrote nothing (<c>run --rm IMG true</c>) leaves its
/// directories as they were made, and renaming them costs a few microseconds where mkdir and rmdir cost
/// far more on a busy ext4: every new inode is searched for past recently deleted ones, and every
/// removed directory gives its block back (with <c>discard</c>, a synchronous trim). Only a layer that
/// looks exactly as a new one would is kept: <c>fs</c> empty, root-owned 0755, without extended
/// attributes but the uuid overlayfs stamps on it; whatever the kernel left in <c>work/work</c> it cleans
/// at the next mount, except the mark of a volatile mount, which is removed here. Spares live in
/// <c>.spare/</c> (at most <see cref="MaxSpares"/>); a crash leaves a spare or an orphan directory, both
/// harmless.
/// </summary>
internal sealed partial class SpareDirectories(string snapshotsDir)
{
    public const int MaxSpares = 16;
    private const uint DirMode = 0x4000 | 0x1ed; // S_IFDIR | 0755

    private string Dir => Path.Combine(snapshotsDir, ".spare");

    /// <summary>Moves a spare to <paramref name="target"/> (which must not exist); false when there is none.</summary>
    public bool TryTake(string target)
    {
        string[] names;
        try { names = Directory.GetFileSystemEntries(Dir); }
        catch (DirectoryNotFoundException) { return false; }
        foreach (var spare in names)
        {
            if (rename(spare, target) == 0)
            {
                Touch(Path.Combine(target, "fs"));
                return true;
            }
            // Another process took it first: try the next one.
        }
        return false;
    }

    /// <summary>Moves the layer directory <paramref name="dir"/> among the spares if it is as new and
    /// returns where it went; null (and <paramref name="dir"/> untouched) when it must be deleted instead.</summary>
    public string? TryKeep(string dir)
    {
        var fs = Path.Combine(dir, "fs");
        var work = Path.Combine(dir, "work");
        if (FileStat.Lstat(fs) is not { Mode: DirMode, Uid: 0, Gid: 0 } || FileStat.Lstat(work) is not { IsDirectory: true }) return null;
        if (!OnlyOverlayUuid(fs) || Directory.EnumerateFileSystemEntries(fs).Any()) return null;
        if (Directory.EnumerateFileSystemEntries(dir).Skip(2).Any()) return null;
        Directory.CreateDirectory(Dir);
        if (Directory.GetFileSystemEntries(Dir).Length >= MaxSpares) return null;
        var incompat = Path.Combine(work, "work", "incompat");
        if (Directory.Exists(incompat)) DirectoryUsage.DeleteTree(incompat);
        var spare = Path.Combine(Dir, $"{Path.GetFileName(dir)}-{Guid.NewGuid():N}");
        return rename(dir, spare) == 0 ? spare : null;
    }

    /// <summary>The upper root may carry only the uuid overlayfs stamps on it, which is removed here so the
    /// next mount stamps a new one; any other attribute (an ACL set on /, say) rules the layer out.</summary>
    private static unsafe bool OnlyOverlayUuid(string fs)
    {
        const string Uuid = "trusted.overlay.uuid";
        byte* names = stackalloc byte[256];
        nint n = llistxattr(fs, (nint)names, 256);
        if (n == 0) return true;
        if (n != Uuid.Length + 1 || System.Text.Encoding.ASCII.GetString(names, (int)n - 1) != Uuid) return false;
        return lremovexattr(fs, Uuid) == 0;
    }

    /// <summary>A fresh layer's root shows the time it was made.</summary>
    private static unsafe void Touch(string path) => utimensat(-100 /* AT_FDCWD */, path, null, 0);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string from, string to);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint llistxattr(string path, nint list, nint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lremovexattr(string path, string name);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int utimensat(int dirfd, string path, void* times, int flags);
}
