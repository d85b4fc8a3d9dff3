using System.Runtime.InteropServices;

namespace Berth.Engine.Runtime.Interop;

/// <summary>lstat(2) for what the BCL hides: the file type, device numbers and owner.</summary>
public static unsafe partial class FileStat
{
    public const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFREG = 0x8000, S_IFLNK = 0xA000, S_IFCHR = 0x2000, S_IFBLK = 0x6000;

    public readonly record struct Info(uint Mode, uint Uid, uint Gid, ulong Rdev, long Size, ulong Dev, ulong Ino, long MtimeSec, long MtimeNsec)
    {
        public uint Type => Mode & S_IFMT;
        public bool IsDirectory => Type == S_IFDIR;
        public bool IsRegular => Type == S_IFREG;
        public bool IsSymlink => Type == S_IFLNK;
        /// <summary>An overlay whiteout: a character device 0/0.</summary>
        public bool IsWhiteout => Type == S_IFCHR && Rdev == 0;
    }

    public static Info? Lstat(string path)
    {
        Stat st;
        if (lstat(path, &st) != 0) return null;
        return new Info(st.Mode, st.Uid, st.Gid, st.Rdev, st.Size, st.Dev, st.Ino, st.MtimeSec, st.MtimeNsec);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Stat
    {
        public ulong Dev, Ino, Nlink;
        public uint Mode, Uid, Gid;
        private int _pad0;
        public ulong Rdev;
        public long Size, BlkSize, Blocks;
        public long AtimeSec, AtimeNsec, MtimeSec, MtimeNsec, CtimeSec, CtimeNsec;
        private long _r0, _r1, _r2;
    }

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lstat(string path, Stat* buf);
}
