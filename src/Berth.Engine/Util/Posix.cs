using System.Runtime.InteropServices;

namespace Berth.Engine.Util;

/// <summary>The few libc calls the BCL does not offer.</summary>
public static partial class Posix
{
    /// <summary>lstat's link count, device and inode, or null when the path is gone.</summary>
    public static (long Links, long Dev, long Ino)? LinkCount(string path)
    {
        if (lstat(path, out var st) != 0) return null;
        return ((long)st.st_nlink, (long)st.st_dev, (long)st.st_ino);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Stat
    {
        public ulong st_dev;
        public ulong st_ino;
        public ulong st_nlink;
        public uint st_mode;
        public uint st_uid;
        public uint st_gid;
        private int _pad0;
        public ulong st_rdev;
        public long st_size;
        public long st_blksize;
        public long st_blocks;
        public long st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
        private long _r0, _r1, _r2;
    }

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lstat(string path, out Stat buf);
}
