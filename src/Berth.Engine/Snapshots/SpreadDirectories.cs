using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Snapshots;

/// <summary>
/// Marks the snapshots (and containers) directory as the top of a directory hierarchy (ext4's
/// <c>chattr +T</c>), so ext4 places each layer (or bundle) directory in a block group of its own
/// choosing (Orlov's spread, as for directories in /) instead of the group of the state root's parent.
/// A state root under a busy directory such as /tmp otherwise shares its block group with everything
/// created and deleted there, and ext4 without a journal searches past every inode deleted there in the
/// last minutes for each new one: overlayfs makes several (its workdir and probe files) at every
/// container start. Elsewhere a no-op.
/// </summary>
internal static class SpreadDirectories
{
    private const uint FS_IOC_GETFLAGS = 0x80086601, FS_IOC_SETFLAGS = 0x40086602;
    private const int FS_TOPDIR_FL = 0x00020000;

    public static unsafe void Mark(string dir)
    {
        int fd = Libc.open(dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0) return;
        try
        {
            int flags;
            if (Libc.ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0 || (flags & FS_TOPDIR_FL) != 0) return;
            flags |= FS_TOPDIR_FL;
            Libc.ioctl(fd, FS_IOC_SETFLAGS, &flags);
        }
        finally { Libc.close(fd); }
    }
}
