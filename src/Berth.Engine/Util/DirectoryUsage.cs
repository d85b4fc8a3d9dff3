using Berth.Engine.Snapshots;

namespace Berth.Engine.Util;

/// <summary>Disk usage of a tree (bytes of regular files, inodes), counting hard-linked files once.</summary>
public static class DirectoryUsage
{
    public static SnapshotUsage Measure(string root)
    {
        long size = 0, inodes = 0;
        var seen = new HashSet<(long, long)>();
        var stack = new Stack<string>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var dir = stack.Pop();
            IEnumerable<FileSystemInfo> entries;
            try { entries = new DirectoryInfo(dir).EnumerateFileSystemInfos(); }
            catch (DirectoryNotFoundException) { continue; }
            foreach (var e in entries)
            {
                inodes++;
                if (e.Attributes.HasFlag(FileAttributes.ReparsePoint)) continue;
                if (e is DirectoryInfo) { stack.Push(e.FullName); continue; }
                if (e is FileInfo f)
                {
                    if (Posix.LinkCount(f.FullName) is var (links, dev, ino) && links > 1 && !seen.Add((dev, ino))) continue;
                    size += f.Length;
                }
            }
        }
        return new SnapshotUsage(size, inodes);
    }

    /// <summary>Deletes a tree that may hold device nodes, whiteouts and read-only directories.</summary>
    public static void DeleteTree(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            MakeWritable(path);
            Directory.Delete(path, recursive: true);
        }
    }

    private static void MakeWritable(string path)
    {
        foreach (var d in Directory.EnumerateDirectories(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            File.SetUnixFileMode(d, File.GetUnixFileMode(d) | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.UserRead);
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.UserRead);
    }
}
