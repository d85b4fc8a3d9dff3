using System.Text;

namespace Berth.Engine.Layers;

/// <summary>
/// Turns the entries a <see cref="TreeWalker"/> visits into tar entries: owners, modes, mtimes
/// (seconds), xattrs, symlink targets, devices; a file with several links is written once and
/// then as hard links (keyed by device and inode). In overlay-upper mode it also translates
/// overlayfs whiteouts into OCI ones. Sockets are skipped, as docker does.
/// </summary>
internal sealed class TreeArchiver
{
    private const string OverlayPrefix = "trusted.overlay.";

    private readonly LayerTarWriter _writer;
    private readonly byte[] _prefix; // "prefix/" or empty
    private readonly bool _overlayUpper;
    private readonly TarEntry _entry = new();
    private readonly Dictionary<(uint, uint, ulong), byte[]> _links = [];
    private readonly byte[] _linkBuffer = new byte[4096];
    private byte[] _name = new byte[1024];

    public TreeArchiver(LayerTarWriter writer, string? prefix, bool overlayUpper)
    {
        _writer = writer;
        _prefix = string.IsNullOrEmpty(prefix) ? [] : Encoding.UTF8.GetBytes(prefix.Trim('/') + "/");
        _overlayUpper = overlayUpper;
    }

    /// <summary>Writes the root directory itself as the entry "prefix/" (only with a prefix).</summary>
    public void WriteRoot(int rootFd)
    {
        if (_prefix.Length == 0) return;
        if (Posix.StatAt(rootFd, default, out var st) != 0)
            throw new BerthException($"cannot stat the root directory: {Posix.Describe(Posix.Errno)}", BerthException.EngineError);
        Visit(rootFd, "."u8, default, st);
    }

    /// <summary>The <see cref="TreeWalker.Visitor"/>: writes one entry, and says whether to descend.</summary>
    public bool Visit(int dirFd, ReadOnlySpan<byte> name, ReadOnlySpan<byte> relPath, in Posix.Statx st)
    {
        var e = _entry;
        e.Reset();
        uint type = st.Type;
        if (type == Posix.S_IFSOCK) return false;

        if (_overlayUpper && type == Posix.S_IFCHR && st.RdevMajor == 0 && st.RdevMinor == 0)
        {
            WriteWhiteout(relPath, st);
            return false;
        }

        var xattrs = Posix.ListXattrsAt(dirFd, name);
        bool opaque = false;
        if (xattrs is not null)
        {
            foreach (var (attr, value) in xattrs)
            {
                if (attr.StartsWith(OverlayPrefix, StringComparison.Ordinal))
                {
                    if (!_overlayUpper) continue;
                    if (attr == "trusted.overlay.opaque" && value.AsSpan().SequenceEqual("y"u8)) opaque = true;
                    if (attr == "trusted.overlay.whiteout" && type == Posix.S_IFREG && st.Size == 0)
                    {
                        WriteWhiteout(relPath, st);
                        return false;
                    }
                    continue;
                }
                e.Xattrs.Add(new Xattr(attr, value));
            }
            e.Xattrs.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        }

        bool isDir = type == Posix.S_IFDIR;
        SetName(e, relPath, isDir);
        e.Mode = st.Mode & 0xFFF;
        e.Uid = st.Uid;
        e.Gid = st.Gid;
        e.MtimeSeconds = st.MtimeSec;

        if (!isDir && st.Nlink > 1)
        {
            var key = (st.DevMajor, st.DevMinor, st.Ino);
            if (_links.TryGetValue(key, out var first))
            {
                e.Type = TarEntryType.HardLink;
                e.SetLinkName(first);
                _writer.WriteHeader(e);
                return false;
            }
            _links[key] = e.Name.ToArray();
        }

        switch (type)
        {
            case Posix.S_IFDIR:
                e.Type = TarEntryType.Directory;
                _writer.WriteHeader(e);
                if (opaque) WriteOpaqueMarker(relPath, st);
                return true;
            case Posix.S_IFREG:
                e.Type = TarEntryType.Regular;
                e.Size = (long)st.Size;
                WriteFile(dirFd, name, e);
                return false;
            case Posix.S_IFLNK:
                e.Type = TarEntryType.Symlink;
                int n = Posix.ReadlinkAt(dirFd, name, _linkBuffer);
                if (n < 0) throw Fail(e, "cannot read the symlink", Posix.Errno);
                e.SetLinkName(_linkBuffer.AsSpan(0, n));
                break;
            case Posix.S_IFCHR or Posix.S_IFBLK:
                e.Type = type == Posix.S_IFCHR ? TarEntryType.CharDevice : TarEntryType.BlockDevice;
                e.DevMajor = (int)st.RdevMajor;
                e.DevMinor = (int)st.RdevMinor;
                break;
            case Posix.S_IFIFO:
                e.Type = TarEntryType.Fifo;
                break;
            default:
                return false;
        }
        _writer.WriteHeader(e);
        return false;
    }

    private void WriteFile(int dirFd, ReadOnlySpan<byte> name, TarEntry e)
    {
        int fd = Posix.OpenAt(dirFd, name, Posix.O_RDONLY | Posix.O_NOFOLLOW);
        if (fd < 0) throw Fail(e, "cannot open", Posix.Errno);
        try
        {
            _writer.WriteHeader(e);
            while (_writer.DataRemaining > 0)
            {
                var space = _writer.DataSpace();
                int n = Posix.Read(fd, space);
                if (n < 0) throw Fail(e, "cannot read", Posix.Errno);
                if (n == 0) throw new BerthException($"layer diff: '{e.DisplayName}' shrank while it was being archived", BerthException.EngineError);
                _writer.AdvanceData(n);
            }
        }
        finally
        {
            Posix.Close(fd);
        }
    }

    /// <summary>An overlayfs whiteout (0/0 char device) becomes the OCI <c>.wh.NAME</c>: an empty file, mode 0600, as docker writes it.</summary>
    private void WriteWhiteout(ReadOnlySpan<byte> relPath, in Posix.Statx st)
    {
        var e = _entry;
        e.Reset();
        TarPath.Split(relPath, out var parent, out var leaf);
        int length = _prefix.Length + parent.Length + 1 + 4 + leaf.Length;
        Span<byte> name = length <= 1024 ? stackalloc byte[length] : new byte[length];
        int at = 0;
        _prefix.CopyTo(name);
        at += _prefix.Length;
        if (!parent.IsEmpty)
        {
            parent.CopyTo(name[at..]);
            at += parent.Length;
            name[at++] = (byte)'/';
        }
        ".wh."u8.CopyTo(name[at..]);
        at += 4;
        leaf.CopyTo(name[at..]);
        at += leaf.Length;
        e.SetName(name[..at]);
        e.Type = TarEntryType.Regular;
        e.Mode = 0b110_000_000;
        e.Uid = st.Uid;
        e.Gid = st.Gid;
        e.MtimeSeconds = st.MtimeSec;
        _writer.WriteHeader(e);
    }

    /// <summary>An opaque directory gets <c>DIR/.wh..wh..opq</c> right after it (before its children), with the directory's owner and permission bits, mtime 0, as docker writes it.</summary>
    private void WriteOpaqueMarker(ReadOnlySpan<byte> relPath, in Posix.Statx st)
    {
        var e = _entry;
        e.Reset();
        var name = new byte[_prefix.Length + relPath.Length + 1 + 12];
        _prefix.CopyTo(name, 0);
        relPath.CopyTo(name.AsSpan(_prefix.Length));
        int at = _prefix.Length + relPath.Length;
        if (!relPath.IsEmpty) name[at++] = (byte)'/';
        ".wh..wh..opq"u8.CopyTo(name.AsSpan(at));
        e.SetName(name.AsSpan(0, at + 12));
        e.Type = TarEntryType.Regular;
        e.Mode = st.Mode & 0x1FF;
        e.Uid = st.Uid;
        e.Gid = st.Gid;
        _writer.WriteHeader(e);
    }

    private void SetName(TarEntry e, ReadOnlySpan<byte> relPath, bool isDir)
    {
        int length = _prefix.Length + relPath.Length + 1;
        if (_name.Length < length) _name = new byte[length * 2];
        _prefix.CopyTo(_name, 0);
        relPath.CopyTo(_name.AsSpan(_prefix.Length));
        int at = _prefix.Length + relPath.Length;
        if (relPath.IsEmpty) at--; // the root itself: "prefix/" already ends in '/'
        if (isDir) _name[at++] = (byte)'/';
        e.SetName(_name.AsSpan(0, at));
    }

    private static BerthException Fail(TarEntry e, string what, int errno) =>
        new($"layer diff: '{e.DisplayName}': {what}: {Posix.Describe(errno)}", BerthException.EngineError);
}
