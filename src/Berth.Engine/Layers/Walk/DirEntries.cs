using System.Buffers.Binary;

namespace Berth.Engine.Layers;

/// <summary>Directory listing with getdents64: names as the bytes they are, "." and ".." left out.</summary>
internal static class DirEntries
{
    [ThreadStatic] private static byte[]? t_buffer;

    /// <summary>The names in the directory open as <paramref name="fd"/> (O_RDONLY), in directory order.</summary>
    public static List<byte[]> Read(int fd)
    {
        var buffer = t_buffer ??= new byte[64 * 1024];
        var names = new List<byte[]>();
        while (true)
        {
            int n = Posix.GetDents(fd, buffer);
            if (n < 0)
            {
                int errno = Posix.Errno;
                if (errno == Posix.EINTR) continue;
                throw new BerthException($"cannot read directory: {Posix.Describe(errno)}", BerthException.EngineError);
            }
            if (n == 0) return names;
            int off = 0;
            while (off < n)
            {
                // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                int reclen = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(off + 16));
                var nameField = buffer.AsSpan(off + 19, reclen - 19);
                int len = nameField.IndexOf((byte)0);
                var name = len < 0 ? nameField : nameField[..len];
                if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8)) names.Add(name.ToArray());
                off += reclen;
            }
        }
    }

    /// <summary>The names sorted by their bytes (Go's and docker's order).</summary>
    public static List<byte[]> ReadSorted(int fd)
    {
        var names = Read(fd);
        names.Sort(static (a, b) => a.AsSpan().SequenceCompareTo(b));
        return names;
    }
}
