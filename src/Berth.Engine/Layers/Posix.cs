using System.Runtime.InteropServices;

namespace Berth.Engine.Layers;

/// <summary>
/// The *at family of Linux syscalls the layer code needs, on byte paths (file names are bytes, not
/// UTF-16). Every call takes a directory fd and one name so that nothing is resolved from a string
/// path outside the tree being written.
/// </summary>
internal static unsafe partial class Posix
{
    public const int ENOENT = 2, EINTR = 4, EEXIST = 17, EXDEV = 18, ENOTDIR = 20, EISDIR = 21, ERANGE = 34,
        ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EOPNOTSUPP = 95, EPERM = 1, E2BIG = 7;

    public const int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200,
        O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    public static readonly int O_DIRECTORY = IsArm ? 0x4000 : 0x10000;
    public static readonly int O_NOFOLLOW = IsArm ? 0x8000 : 0x20000;

    public const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;

    public const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFLNK = 0xA000, S_IFREG = 0x8000, S_IFBLK = 0x6000,
        S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;

    private const long SYS_openat2 = 437; // the same number on x86_64 and arm64
    private static bool IsArm => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow { public ulong Flags, Mode, Resolve; }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec { public long Sec, Nsec; }

    /// <summary>struct statx: one layout on every architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(16)] public uint Nlink;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Ino;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public long CtimeSec;
        [FieldOffset(104)] public uint CtimeNsec;
        [FieldOffset(112)] public long MtimeSec;
        [FieldOffset(120)] public uint MtimeNsec;
        [FieldOffset(128)] public uint RdevMajor;
        [FieldOffset(132)] public uint RdevMinor;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;

        public readonly uint Type => Mode & S_IFMT;
        public readonly bool IsDir => Type == S_IFDIR;
    }

    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    public static int Errno => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    // ---- wrappers on byte names; each copies the name into a NUL-terminated stack buffer ----

    private const int StackLimit = 1024;

    private static Span<byte> Z(ReadOnlySpan<byte> s, Span<byte> buffer)
    {
        s.CopyTo(buffer);
        buffer[s.Length] = 0;
        return buffer[..(s.Length + 1)];
    }

    public static int OpenAt(int dirfd, ReadOnlySpan<byte> name, int flags, uint mode = 0)
    {
        Span<byte> z = Z(name, name.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[name.Length + 1]);
        fixed (byte* p = z)
        {
            int fd;
            do fd = openat(dirfd, p, flags | O_CLOEXEC, mode); while (fd < 0 && Errno == EINTR);
            return fd;
        }
    }

    /// <summary>openat2 with RESOLVE_IN_ROOT: every symlink and ".." is resolved as if dirfd were "/".</summary>
    public static int OpenInRoot(int rootfd, ReadOnlySpan<byte> path, int flags)
    {
        Span<byte> z = Z(path, path.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[path.Length + 1]);
        var how = new OpenHow { Flags = (ulong)(flags | O_CLOEXEC), Resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        fixed (byte* p = z)
        {
            long fd;
            do fd = syscall(SYS_openat2, rootfd, p, &how, (nuint)sizeof(OpenHow)); while (fd < 0 && Errno is EINTR or 11 /* EAGAIN */);
            return (int)fd;
        }
    }

    public static int MkdirAt(int dirfd, ReadOnlySpan<byte> name, uint mode)
    {
        Span<byte> z = Z(name, name.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[name.Length + 1]);
        fixed (byte* p = z) return mkdirat(dirfd, p, mode);
    }

    public static int MknodAt(int dirfd, ReadOnlySpan<byte> name, uint mode, ulong dev)
    {
        Span<byte> z = Z(name, name.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[name.Length + 1]);
        fixed (byte* p = z) return mknodat(dirfd, p, mode, dev);
    }

    public static int SymlinkAt(ReadOnlySpan<byte> target, int dirfd, ReadOnlySpan<byte> name)
    {
        Span<byte> zt = Z(target, target.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[target.Length + 1]);
        Span<byte> zn = Z(name, name.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[name.Length + 1]);
        fixed (byte* t = zt) fixed (byte* n = zn) return symlinkat(t, dirfd, n);
    }

    public static int LinkAt(int olddirfd, ReadOnlySpan<byte> oldname, int newdirfd, ReadOnlySpan<byte> newname)
    {
        Span<byte> zo = Z(oldname, oldname.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[oldname.Length + 1]);
        Span<byte> zn = Z(newname, newname.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[newname.Length + 1]);
        fixed (byte* o = zo) fixed (byte* n = zn) return linkat(olddirfd, o, newdirfd, n, 0);
    }

    public static int UnlinkAt(int dirfd, ReadOnlySpan<byte> name, int flags)
    {
        Span<byte> z = Z(name, name.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[name.Length + 1]);
        fixed (byte* p = z) return unlinkat(dirfd, p, flags);
    }

    public static int FchownAt(int dirfd, ReadOnlySpan<byte> name, uint uid, uint gid)
    {
        Span<byte> z = Z(name, name.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[name.Length + 1]);
        fixed (byte* p = z) return fchownat(dirfd, p, uid, gid, AT_SYMLINK_NOFOLLOW);
    }

    public static int FchmodAt(int dirfd, ReadOnlySpan<byte> name, uint mode)
    {
        Span<byte> z = Z(name, name.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[name.Length + 1]);
        fixed (byte* p = z) return fchmodat(dirfd, p, mode, 0);
    }

    public static int UtimensAt(int dirfd, ReadOnlySpan<byte> name, long sec, long nsec)
    {
        Span<byte> z = Z(name, name.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[name.Length + 1]);
        Timespec* t = stackalloc Timespec[2];
        t[0] = t[1] = new Timespec { Sec = sec, Nsec = nsec };
        fixed (byte* p = z) return utimensat(dirfd, p, t, AT_SYMLINK_NOFOLLOW);
    }

    public static int Futimens(int fd, long sec, long nsec)
    {
        Timespec* t = stackalloc Timespec[2];
        t[0] = t[1] = new Timespec { Sec = sec, Nsec = nsec };
        return futimens(fd, t);
    }

    public static int StatAt(int dirfd, ReadOnlySpan<byte> name, out Statx st)
    {
        Span<byte> z = Z(name, name.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[name.Length + 1]);
        fixed (byte* p = z) fixed (Statx* s = &st)
            return statx(dirfd, p, AT_SYMLINK_NOFOLLOW | (name.IsEmpty ? AT_EMPTY_PATH : 0), 0x7ff, s);
    }

    public static int ReadlinkAt(int dirfd, ReadOnlySpan<byte> name, Span<byte> buffer)
    {
        Span<byte> z = Z(name, name.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[name.Length + 1]);
        fixed (byte* p = z) fixed (byte* b = buffer) return (int)readlinkat(dirfd, p, b, (nuint)buffer.Length);
    }

    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* b = buffer)
        {
            nint n;
            do n = read(fd, b, (nuint)buffer.Length); while (n < 0 && Errno == EINTR);
            return (int)n;
        }
    }

    /// <summary>Writes all of <paramref name="data"/>; returns 0 or an errno.</summary>
    public static int WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* b = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = write(fd, b + done, (nuint)(data.Length - done));
                if (n < 0)
                {
                    int e = Errno;
                    if (e == EINTR) continue;
                    return e;
                }
                done += (int)n;
            }
            return 0;
        }
    }

    public static int GetDents(int fd, Span<byte> buffer)
    {
        fixed (byte* b = buffer) return (int)getdents64(fd, b, (nuint)buffer.Length);
    }

    public static int Close(int fd) => close(fd);
    public static int Fchown(int fd, uint uid, uint gid) => fchown(fd, uid, gid);
    public static int Fchmod(int fd, uint mode) => fchmod(fd, mode);

    // ---- xattrs, on "/proc/self/fd/<dirfd>/<name>" so the last name is never followed ----

    /// <summary>Sets an xattr on <paramref name="name"/> in <paramref name="dirfd"/> without following it; an empty name means the directory itself.</summary>
    public static int SetXattrAt(int dirfd, ReadOnlySpan<byte> name, string attr, ReadOnlySpan<byte> value)
    {
        if (name.IsEmpty) name = "."u8;
        Span<byte> path = ProcPathInto(dirfd, name, name.Length < StackLimit - 32 ? stackalloc byte[StackLimit] : new byte[name.Length + 32]);
        Span<byte> a = AttrName(attr, stackalloc byte[256]);
        fixed (byte* p = path) fixed (byte* n = a) fixed (byte* v = value)
            return lsetxattr(p, n, v, (nuint)value.Length, 0);
    }

    public static int SetXattr(int fd, string attr, ReadOnlySpan<byte> value)
    {
        Span<byte> a = AttrName(attr, stackalloc byte[256]);
        fixed (byte* n = a) fixed (byte* v = value) return fsetxattr(fd, n, v, (nuint)value.Length, 0);
    }

    /// <summary>All xattrs of <paramref name="name"/> in <paramref name="dirfd"/> (not followed; "." for the directory itself), or null when it has none.</summary>
    public static List<KeyValuePair<string, byte[]>>? ListXattrsAt(int dirfd, ReadOnlySpan<byte> name)
    {
        Span<byte> path = ProcPathInto(dirfd, name, name.Length < StackLimit - 32 ? stackalloc byte[StackLimit] : new byte[name.Length + 32]);
        fixed (byte* p = path)
        {
            nint size = llistxattr(p, null, 0);
            if (size <= 0) return null;
            var names = new byte[size + 64];
            fixed (byte* np = names) size = llistxattr(p, np, (nuint)names.Length);
            if (size <= 0) return null;
            var list = new List<KeyValuePair<string, byte[]>>();
            int start = 0;
            for (int i = 0; i < size; i++)
            {
                if (names[i] != 0) continue;
                if (i > start)
                {
                    var attr = names.AsSpan(start, i - start);
                    var value = GetXattr(p, attr);
                    if (value is not null) list.Add(new(System.Text.Encoding.UTF8.GetString(attr), value));
                }
                start = i + 1;
            }
            return list.Count == 0 ? null : list;
        }
    }

    /// <summary>One xattr of <paramref name="name"/> in <paramref name="dirfd"/> (not followed), or null.</summary>
    public static byte[]? GetXattrAt(int dirfd, ReadOnlySpan<byte> name, string attr)
    {
        Span<byte> path = ProcPathInto(dirfd, name, name.Length < StackLimit - 32 ? stackalloc byte[StackLimit] : new byte[name.Length + 32]);
        Span<byte> a = AttrName(attr, stackalloc byte[256]);
        fixed (byte* p = path) return GetXattr(p, a[..^1]);
    }

    private static Span<byte> ProcPathInto(int dirfd, ReadOnlySpan<byte> name, Span<byte> buffer)
    {
        ReadOnlySpan<byte> prefix = "/proc/self/fd/"u8;
        prefix.CopyTo(buffer);
        dirfd.TryFormat(buffer[prefix.Length..], out int numLen);
        int at = prefix.Length + numLen;
        buffer[at++] = (byte)'/';
        name.CopyTo(buffer[at..]);
        at += name.Length;
        buffer[at++] = 0;
        return buffer[..at];
    }

    private static byte[]? GetXattr(byte* path, ReadOnlySpan<byte> attr)
    {
        Span<byte> z = Z(attr, attr.Length < StackLimit ? stackalloc byte[StackLimit] : new byte[attr.Length + 1]);
        fixed (byte* n = z)
        {
            for (int attempt = 0; attempt < 4; attempt++)
            {
                nint size = lgetxattr(path, n, null, 0);
                if (size < 0) return null;
                var value = new byte[size];
                if (size == 0) return value;
                nint got;
                fixed (byte* vp = value) got = lgetxattr(path, n, vp, (nuint)value.Length);
                if (got >= 0) return got == size ? value : value[..(int)got];
                if (Errno != ERANGE) return null;
            }
            return null;
        }
    }

    private static Span<byte> AttrName(string attr, Span<byte> buffer)
    {
        int n = System.Text.Encoding.UTF8.GetByteCount(attr);
        if (n + 1 > buffer.Length) buffer = new byte[n + 1];
        System.Text.Encoding.UTF8.GetBytes(attr, buffer);
        buffer[n] = 0;
        return buffer[..(n + 1)];
    }

    [LibraryImport("libc", SetLastError = true)] private static partial long syscall(long number, int dirfd, byte* path, OpenHow* how, nuint size);
    [LibraryImport("libc", SetLastError = true)] private static partial int openat(int dirfd, byte* path, int flags, uint mode);
    [LibraryImport("libc", SetLastError = true)] private static partial int mkdirat(int dirfd, byte* path, uint mode);
    [LibraryImport("libc", SetLastError = true)] private static partial int mknodat(int dirfd, byte* path, uint mode, ulong dev);
    [LibraryImport("libc", SetLastError = true)] private static partial int symlinkat(byte* target, int dirfd, byte* path);
    [LibraryImport("libc", SetLastError = true)] private static partial int linkat(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int unlinkat(int dirfd, byte* path, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int fchownat(int dirfd, byte* path, uint uid, uint gid, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int fchmodat(int dirfd, byte* path, uint mode, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int fchown(int fd, uint uid, uint gid);
    [LibraryImport("libc", SetLastError = true)] private static partial int fchmod(int fd, uint mode);
    [LibraryImport("libc", SetLastError = true)] private static partial int utimensat(int dirfd, byte* path, Timespec* times, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int futimens(int fd, Timespec* times);
    [LibraryImport("libc", SetLastError = true)] private static partial int statx(int dirfd, byte* path, int flags, uint mask, Statx* buf);
    [LibraryImport("libc", SetLastError = true)] private static partial nint readlinkat(int dirfd, byte* path, byte* buf, nuint size);
    [LibraryImport("libc", SetLastError = true)] private static partial nint read(int fd, byte* buf, nuint count);
    [LibraryImport("libc", SetLastError = true)] private static partial nint write(int fd, byte* buf, nuint count);
    [LibraryImport("libc", SetLastError = true)] private static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial nint getdents64(int fd, byte* buf, nuint count);
    [LibraryImport("libc", SetLastError = true)] private static partial int lsetxattr(byte* path, byte* name, byte* value, nuint size, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int fsetxattr(int fd, byte* name, byte* value, nuint size, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial nint lgetxattr(byte* path, byte* name, byte* value, nuint size);
    [LibraryImport("libc", SetLastError = true)] private static partial nint llistxattr(byte* path, byte* list, nuint size);
}
