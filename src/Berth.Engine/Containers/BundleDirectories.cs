using System.Runtime.InteropServices;
using System.Text;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Containers;

/// <summary>
/// Makes and removes a container's directory (its bundle). A removed bundle that holds nothing but what
/// <c>create</c> writes (config.json, hostname, hosts, resolv.conf and an empty rootfs/) is kept in the
/// state root's scratch directory (<c>tmp/spare-bundles/</c>, at most <see cref="MaxSpares"/>) and renamed
/// into place for the next container, its files overwritten in
/// place: a <c>run --rm</c> then creates and deletes no inode at all, where mkdir, creat and rmdir are
/// what cost most on a busy ext4 (new inodes are searched for past recently deleted ones; a removed
/// directory gives its block back, with <c>discard</c> a synchronous trim). Anything else (logs, a
/// socket, an external runtime's state) and the bundle is deleted as before. Nothing reads a bundle
/// before its container's record exists, so stale files in a spare are never seen.
/// </summary>
public static partial class BundleDirectories
{
    public const int MaxSpares = 16;
    private static readonly string[] Kept = ["config.json", "hostname", "hosts", "resolv.conf"];

    /// <summary>Makes <paramref name="paths"/>' directory with an empty rootfs/, from a spare when there is
    /// one in <paramref name="scratchDir"/>.</summary>
    public static void Create(ContainerPaths paths, string scratchDir)
    {
        var spares = SparesIn(scratchDir);
        if (Directory.Exists(spares))
            foreach (var spare in Directory.GetFileSystemEntries(spares))
                if (rename(spare, paths.Dir) == 0) return; // else another process took it: try the next
        Snapshots.SpreadDirectories.Mark(Path.GetDirectoryName(paths.Dir)!);
        Directory.CreateDirectory(paths.Rootfs);
    }

    /// <summary>Removes a container's directory, keeping it as a spare in <paramref name="scratchDir"/> when it can be.</summary>
    public static void Remove(string dir, string scratchDir)
    {
        if (!Directory.Exists(dir)) return;
        if (Reusable(dir))
        {
            var spares = Directory.CreateDirectory(SparesIn(scratchDir)).FullName;
            if (Directory.GetFileSystemEntries(spares).Length < MaxSpares && rename(dir, Path.Combine(spares, Guid.NewGuid().ToString("N"))) == 0)
                return;
        }
        var trash = Path.Combine(Path.GetDirectoryName(dir)!, $".trash-{Path.GetFileName(dir)}-{Guid.NewGuid():N}");
        try
        {
            Directory.Move(dir, trash);
            Directory.Delete(trash, recursive: true);
        }
        catch (DirectoryNotFoundException) { }
    }

    /// <summary>Writes a bundle file in place (see <see cref="Fds.WriteFileInPlace"/>): a reused bundle's
    /// files keep their inodes and blocks.</summary>
    public static void WriteFile(string path, string text) => Fds.WriteFileInPlace(path, Encoding.UTF8.GetBytes(text));

    private static string SparesIn(string scratchDir) => Path.Combine(scratchDir, "spare-bundles");

    private static bool Reusable(string dir)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir))
        {
            var name = Path.GetFileName(entry);
            if (name == "rootfs")
            {
                if (FileStat.Lstat(entry) is not { IsDirectory: true } || Directory.EnumerateFileSystemEntries(entry).Any()) return false;
            }
            else if (Array.IndexOf(Kept, name) < 0 || FileStat.Lstat(entry) is not { IsRegular: true }) return false;
        }
        return true;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string from, string to);
}
