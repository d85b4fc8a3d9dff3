using System.Text;

namespace Berth.Engine.Layers;

/// <summary>Unpacks a layer tar into a directory, never writing outside it.</summary>
public static class LayerApplier
{
    /// <summary>
    /// Applies the UNCOMPRESSED tar stream <paramref name="tar"/> (callers decompress first) onto
    /// <paramref name="root"/>, computing the DiffID (sha256 of all the tar bytes, including those
    /// after the end-of-archive blocks) in the same pass.
    /// </summary>
    public static ApplyResult Apply(Stream tar, string root, ApplyOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ApplyOptions();
        using var reader = new LayerTarReader(tar, options.MaxHeaderBytes);
        using var dir = new RootedDir(root);
        using var applier = new TarApplier(reader, dir, options);
        while (reader.MoveNext())
        {
            ct.ThrowIfCancellationRequested();
            applier.Apply(reader.Current);
        }
        applier.Finish();
        return new ApplyResult(reader.Digest, reader.TotalBytes, applier.UnpackedSize, reader.EntryCount)
        {
            XattrsSkipped = applier.XattrsSkipped,
        };
    }
}

/// <summary>The state of one apply: the tree, deferred directory times, what this layer created.</summary>
internal sealed class TarApplier : IDisposable
{
    private static ReadOnlySpan<byte> WhiteoutPrefix => ".wh."u8;
    private static ReadOnlySpan<byte> OpaqueMarker => ".wh..wh..opq"u8;
    private const string OverlayOpaqueXattr = "trusted.overlay.opaque";

    private readonly LayerTarReader _reader;
    private readonly RootedDir _dir;
    private readonly ApplyOptions _options;
    private readonly bool _overlay;
    private readonly List<(byte[] Path, long Sec, long Nsec)> _dirTimes = [];
    private readonly HashSet<string>? _createdHere; // Delete mode: paths this layer wrote (opaque dirs keep them)
    private readonly int[] _lowerFds;
    private byte[] _path = new byte[512];
    private byte[] _linkPath = new byte[512];

    public TarApplier(LayerTarReader reader, RootedDir dir, ApplyOptions options)
    {
        _reader = reader;
        _dir = dir;
        _options = options;
        _overlay = options.Whiteouts == WhiteoutMode.Overlay;
        if (!_overlay) _createdHere = new HashSet<string>(StringComparer.Ordinal);
        _lowerFds = _overlay ? OpenLowers(options.LowerDirs) : [];
        if (_overlay && _lowerFds.Length > 0) _dir.OnImplicitDir = CopyLowerDirAttributes;
    }

    public long UnpackedSize { get; private set; }
    public int XattrsSkipped { get; private set; }

    public void Apply(TarEntry e)
    {
        var refused = TarPath.Clean(e.Name, ref _path, out int pathLength);
        if (refused is not null) throw LayerTarReader.Error(e.DisplayName, refused);
        var path = _path.AsSpan(0, pathLength);
        TarPath.Split(path, out var parent, out var leaf);

        if (leaf.StartsWith(WhiteoutPrefix))
        {
            ApplyWhiteout(e, parent, leaf);
            return;
        }
        if (path.IsEmpty)
        {
            if (e.Type != TarEntryType.Directory) throw Fail(e, "only a directory may stand for the root");
            ApplyRootDirectory(e);
            return;
        }
        _createdHere?.Add(Encoding.UTF8.GetString(path));

        int parentFd = _dir.Parent(parent, create: true);
        if (parentFd < 0) throw Fail(e, "cannot open the parent directory", Posix.Errno);
        switch (e.Type)
        {
            case TarEntryType.Regular:
                WriteFile(e, parent, parentFd, leaf);
                break;
            case TarEntryType.Directory:
                MakeDirectory(e, parent, parentFd, leaf, path);
                break;
            case TarEntryType.Symlink:
                if (e.LinkNameLength == 0) throw Fail(e, "symlink with an empty target");
                Create(e, parent, ref parentFd, leaf, Node.Symlink);
                SetAttributes(e, parentFd, leaf, chmod: false);
                break;
            case TarEntryType.HardLink:
                MakeHardLink(e, parent, parentFd, leaf, path);
                break;
            case TarEntryType.CharDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                Create(e, parent, ref parentFd, leaf, Node.Device);
                SetAttributes(e, parentFd, leaf, chmod: true);
                break;
        }
    }

    /// <summary>Sets the mtimes of directories last: creating their contents changed them.</summary>
    public void Finish()
    {
        foreach (var (path, sec, nsec) in _dirTimes)
        {
            TarPath.Split(path, out var parent, out var leaf);
            if (path.Length == 0)
            {
                Posix.UtimensAt(_dir.RootFd, "."u8, sec, nsec);
                continue;
            }
            int fd = _dir.Parent(parent, create: false);
            if (fd >= 0) Posix.UtimensAt(fd, leaf, sec, nsec);
        }
    }

    public void Dispose()
    {
        foreach (var fd in _lowerFds) Posix.Close(fd);
    }

    // ---- entry kinds ----

    private enum Node { Directory, Symlink, Device, Whiteout }

    private static int CreateNode(TarEntry e, int parentFd, ReadOnlySpan<byte> leaf, Node node) => node switch
    {
        Node.Directory => Posix.MkdirAt(parentFd, leaf, 0b111_000_000),
        Node.Symlink => Posix.SymlinkAt(e.LinkName, parentFd, leaf),
        Node.Whiteout => Posix.MknodAt(parentFd, leaf, Posix.S_IFCHR, 0),
        _ => Posix.MknodAt(parentFd, leaf, e.Type switch
        {
            TarEntryType.CharDevice => Posix.S_IFCHR,
            TarEntryType.BlockDevice => Posix.S_IFBLK,
            _ => Posix.S_IFIFO,
        } | 0b110_000_000, Posix.MakeDev((uint)e.DevMajor, (uint)e.DevMinor)),
    };

    /// <summary>Creates the node; whatever is in the way is removed first (docker's rule).</summary>
    private void Create(TarEntry e, ReadOnlySpan<byte> parent, ref int parentFd, ReadOnlySpan<byte> leaf, Node node)
    {
        if (CreateNode(e, parentFd, leaf, node) == 0) return;
        int errno = Posix.Errno;
        if (errno == Posix.EEXIST)
        {
            Replace(e, parent, ref parentFd, leaf);
            if (CreateNode(e, parentFd, leaf, node) == 0) return;
            errno = Posix.Errno;
        }
        throw Fail(e, $"cannot create {(node == Node.Whiteout ? "whiteout" : Describe(e.Type))}", errno);
    }

    /// <summary>Removes what is at parent/leaf (recursively if a directory) so an entry of another type can take its place.</summary>
    private void Replace(TarEntry e, ReadOnlySpan<byte> parent, ref int parentFd, ReadOnlySpan<byte> leaf)
    {
        int errno = RootedDir.RemoveTree(parentFd, leaf);
        if (errno != 0 && errno != Posix.ENOENT) throw Fail(e, "cannot replace the existing entry", errno);
        if (_dir.Removed(parent, leaf)) parentFd = _dir.Parent(parent, create: true);
    }

    private void WriteFile(TarEntry e, ReadOnlySpan<byte> parent, int parentFd, ReadOnlySpan<byte> leaf)
    {
        const int flags = Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL;
        int fd = Posix.OpenAt(parentFd, leaf, flags | Posix.O_NOFOLLOW, 0b110_000_000);
        if (fd < 0 && Posix.Errno == Posix.EEXIST)
        {
            Replace(e, parent, ref parentFd, leaf);
            fd = Posix.OpenAt(parentFd, leaf, flags | Posix.O_NOFOLLOW, 0b110_000_000);
        }
        if (fd < 0) throw Fail(e, "cannot create file", Posix.Errno);
        try
        {
            while (true)
            {
                var chunk = _reader.ReadDataChunk();
                if (chunk.IsEmpty) break;
                int errno = Posix.WriteAll(fd, chunk);
                if (errno != 0) throw Fail(e, "cannot write file", errno, BerthException.EngineError);
            }
            UnpackedSize += e.Size;
            // order matters: data, then owner (chown clears setuid and file capabilities), then mode, then xattrs
            if (_options.RestoreOwnership && Posix.Fchown(fd, (uint)e.Uid, (uint)e.Gid) != 0)
                throw Fail(e, "cannot chown", Posix.Errno);
            if (Posix.Fchmod(fd, (uint)e.Mode) != 0) throw Fail(e, "cannot chmod", Posix.Errno);
            foreach (var x in e.Xattrs)
            {
                if (SkipXattr(x.Name)) continue;
                if (Posix.SetXattr(fd, x.Name, x.Value) != 0) XattrFailed(e, x.Name, Posix.Errno);
            }
            Posix.Futimens(fd, e.MtimeSeconds, e.MtimeNanoseconds);
        }
        finally
        {
            Posix.Close(fd);
        }
    }

    private void MakeDirectory(TarEntry e, ReadOnlySpan<byte> parent, int parentFd, ReadOnlySpan<byte> leaf, ReadOnlySpan<byte> path)
    {
        if (Posix.MkdirAt(parentFd, leaf, 0b111_000_000) != 0)
        {
            int errno = Posix.Errno;
            if (errno != Posix.EEXIST) throw Fail(e, "cannot create directory", errno);
            // an existing directory is merged; anything else is replaced
            if (Posix.StatAt(parentFd, leaf, out var st) != 0 || !st.IsDir)
                Create(e, parent, ref parentFd, leaf, Node.Directory);
        }
        SetAttributes(e, parentFd, leaf, chmod: true, deferTimes: path);
    }

    private void ApplyRootDirectory(TarEntry e)
    {
        if (_options.RestoreOwnership && Posix.FchownAt(_dir.RootFd, "."u8, (uint)e.Uid, (uint)e.Gid) != 0)
            throw Fail(e, "cannot chown the root directory", Posix.Errno);
        if (Posix.FchmodAt(_dir.RootFd, "."u8, (uint)e.Mode) != 0) throw Fail(e, "cannot chmod the root directory", Posix.Errno);
        foreach (var x in e.Xattrs)
        {
            if (SkipXattr(x.Name)) continue;
            if (Posix.SetXattrAt(_dir.RootFd, default, x.Name, x.Value) != 0) XattrFailed(e, x.Name, Posix.Errno);
        }
        _dirTimes.Add(([], e.MtimeSeconds, e.MtimeNanoseconds));
    }

    private void MakeHardLink(TarEntry e, ReadOnlySpan<byte> parent, int parentFd, ReadOnlySpan<byte> leaf, ReadOnlySpan<byte> path)
    {
        var refused = TarPath.Clean(e.LinkName, ref _linkPath, out int targetLength);
        if (refused is not null) throw Fail(e, $"hard link target '{e.DisplayLinkName}': {refused}");
        var target = _linkPath.AsSpan(0, targetLength);
        if (target.IsEmpty) throw Fail(e, "hard link to the root directory");
        if (target.SequenceEqual(path)) return;
        TarPath.Split(target, out var targetParent, out var targetLeaf);

        for (int attempt = 0; ; attempt++)
        {
            int targetDir = _dir.OpenDir(targetParent);
            int errno;
            if (targetDir < 0) errno = Posix.Errno;
            else
            {
                int r = Posix.LinkAt(targetDir, targetLeaf, parentFd, leaf);
                errno = r == 0 ? 0 : Posix.Errno;
                Posix.Close(targetDir);
            }
            if (errno == 0) return;
            if (attempt == 0 && errno == Posix.EEXIST)
            {
                Replace(e, parent, ref parentFd, leaf);
                continue;
            }
            if (attempt == 0 && errno == Posix.ENOENT && _overlay && CopyUpFromLower(e, target))
            {
                parentFd = _dir.Parent(parent, create: true); // copy-up used the cache
                if (parentFd < 0) throw Fail(e, "cannot open the parent directory", Posix.Errno);
                continue;
            }
            if (errno == Posix.ENOENT) throw Fail(e, $"hard link target '{e.DisplayLinkName}' is not in the layer");
            throw Fail(e, $"cannot hard link to '{e.DisplayLinkName}'", errno);
        }
    }

    // ---- whiteouts ----

    private void ApplyWhiteout(TarEntry e, ReadOnlySpan<byte> parent, ReadOnlySpan<byte> leaf)
    {
        if (leaf.SequenceEqual(OpaqueMarker))
        {
            if (_overlay) MarkOpaque(e, parent);
            else ClearOpaque(e, parent);
            return;
        }
        if (leaf.StartsWith(".wh..wh."u8)) return; // other aufs metadata: ignored, as docker does
        var name = leaf[WhiteoutPrefix.Length..];
        if (name.IsEmpty || name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
            throw Fail(e, "invalid whiteout name");

        if (_overlay)
        {
            int parentFd = _dir.Parent(parent, create: true);
            if (parentFd < 0) throw Fail(e, "cannot open the parent directory", Posix.Errno);
            Create(e, parent, ref parentFd, name, Node.Whiteout);
            if (_options.RestoreOwnership && Posix.FchownAt(parentFd, name, (uint)e.Uid, (uint)e.Gid) != 0)
                throw Fail(e, "cannot chown the whiteout", Posix.Errno);
        }
        else
        {
            int parentFd = _dir.OpenDir(parent);
            if (parentFd < 0) return; // nothing there to delete
            int errno = RootedDir.RemoveTree(parentFd, name);
            Posix.Close(parentFd);
            _dir.Removed(parent, name);
            if (errno != 0 && errno != Posix.ENOENT) throw Fail(e, "cannot delete what the whiteout names", errno);
        }
    }

    private void MarkOpaque(TarEntry e, ReadOnlySpan<byte> dirPath)
    {
        int fd = _dir.Parent(dirPath, create: true);
        if (fd < 0) throw Fail(e, "cannot open the opaque directory", Posix.Errno);
        if (Posix.SetXattrAt(fd, default, OverlayOpaqueXattr, "y"u8) != 0)
            throw Fail(e, $"cannot set {OverlayOpaqueXattr} (the snapshot directory must be on a filesystem with trusted xattrs)", Posix.Errno);
    }

    /// <summary>Delete mode: empties the directory of everything not written by this layer.</summary>
    private void ClearOpaque(TarEntry e, ReadOnlySpan<byte> dirPath)
    {
        var prefix = dirPath.IsEmpty ? "" : Encoding.UTF8.GetString(dirPath) + "/";
        _dir.Invalidate();
        int pathFd = _dir.OpenDir(dirPath);
        if (pathFd < 0) return;
        int fd = Posix.OpenAt(pathFd, "."u8, Posix.O_RDONLY | Posix.O_DIRECTORY);
        Posix.Close(pathFd);
        if (fd < 0) throw Fail(e, "cannot open the opaque directory", Posix.Errno);
        try
        {
            foreach (var child in DirEntries.Read(fd))
            {
                if (_createdHere!.Contains(prefix + Encoding.UTF8.GetString(child))) continue;
                int errno = RootedDir.RemoveTree(fd, child);
                if (errno != 0 && errno != Posix.ENOENT) throw Fail(e, "cannot empty the opaque directory", errno);
            }
        }
        finally
        {
            Posix.Close(fd);
        }
    }

    // ---- attributes ----

    private void SetAttributes(TarEntry e, int parentFd, ReadOnlySpan<byte> leaf, bool chmod, ReadOnlySpan<byte> deferTimes = default)
    {
        if (_options.RestoreOwnership && Posix.FchownAt(parentFd, leaf, (uint)e.Uid, (uint)e.Gid) != 0)
            throw Fail(e, "cannot chown", Posix.Errno);
        if (chmod && Posix.FchmodAt(parentFd, leaf, (uint)e.Mode) != 0) throw Fail(e, "cannot chmod", Posix.Errno);
        foreach (var x in e.Xattrs)
        {
            if (SkipXattr(x.Name)) continue;
            if (Posix.SetXattrAt(parentFd, leaf, x.Name, x.Value) != 0) XattrFailed(e, x.Name, Posix.Errno);
        }
        if (e.Type == TarEntryType.Directory) _dirTimes.Add((deferTimes.ToArray(), e.MtimeSeconds, e.MtimeNanoseconds));
        else Posix.UtimensAt(parentFd, leaf, e.MtimeSeconds, e.MtimeNanoseconds);
    }

    /// <summary>overlayfs' own attributes are never taken from a tar: they would redirect or hide lower layers.</summary>
    private static bool SkipXattr(string name) =>
        name.StartsWith("trusted.overlay.", StringComparison.Ordinal) || name.StartsWith("user.overlay.", StringComparison.Ordinal);

    private void XattrFailed(TarEntry e, string name, int errno)
    {
        if (errno is Posix.EOPNOTSUPP or Posix.EPERM) XattrsSkipped++;
        else throw Fail(e, $"cannot set xattr {name}", errno);
    }

    // ---- overlay lower layers ----

    private static int[] OpenLowers(IReadOnlyList<string> lowers)
    {
        var fds = new int[lowers.Count];
        for (int i = 0; i < lowers.Count; i++)
        {
            fds[i] = Posix.OpenAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(lowers[i]), Posix.O_PATH | Posix.O_DIRECTORY);
            if (fds[i] < 0)
            {
                var error = Posix.Describe(Posix.Errno);
                for (int j = 0; j < i; j++) Posix.Close(fds[j]);
                throw new BerthException($"cannot open lower directory {lowers[i]}: {error}", BerthException.EngineError);
            }
        }
        return fds;
    }

    /// <summary>Finds <paramref name="path"/> in the lower layers, top first: its parent fd there, or -1.</summary>
    private int FindInLower(ReadOnlySpan<byte> path, out Posix.Statx st)
    {
        st = default;
        TarPath.Split(path, out var parent, out var leaf);
        foreach (var lower in _lowerFds)
        {
            int fd = parent.IsEmpty ? Posix.OpenAt(lower, "."u8, Posix.O_PATH | Posix.O_DIRECTORY)
                                    : Posix.OpenInRoot(lower, parent, Posix.O_PATH | Posix.O_DIRECTORY);
            if (fd < 0) continue;
            if (Posix.StatAt(fd, leaf, out st) == 0)
            {
                if (st.Type == Posix.S_IFCHR && st.RdevMajor == 0 && st.RdevMinor == 0)
                {
                    Posix.Close(fd); // a whiteout: deleted further down
                    return -1;
                }
                return fd;
            }
            Posix.Close(fd);
        }
        return -1;
    }

    /// <summary>A parent directory the tar did not list: give it the attributes it has in the lower layers.</summary>
    private void CopyLowerDirAttributes(int parentFd, ReadOnlySpan<byte> name, ReadOnlySpan<byte> path)
    {
        int lowerParent = FindInLower(path, out var st);
        if (lowerParent < 0) return;
        Posix.Close(lowerParent);
        if (!st.IsDir) return;
        Posix.FchownAt(parentFd, name, st.Uid, st.Gid);
        Posix.FchmodAt(parentFd, name, st.Mode & 0xFFFu);
        _dirTimes.Add((path.ToArray(), st.MtimeSec, st.MtimeNsec));
    }

    /// <summary>Copies a hard link's target from a lower layer into this one (overlayfs' copy-up).</summary>
    private bool CopyUpFromLower(TarEntry e, ReadOnlySpan<byte> target)
    {
        int lowerParent = FindInLower(target, out var st);
        if (lowerParent < 0) return false;
        TarPath.Split(target, out var parent, out var leaf);
        try
        {
            int dst = _dir.Parent(parent, create: true);
            if (dst < 0) throw Fail(e, "cannot open the hard link target's directory", Posix.Errno);
            switch (st.Type)
            {
                case Posix.S_IFREG:
                    CopyFileData(e, lowerParent, leaf, dst, st);
                    break;
                case Posix.S_IFLNK:
                    var buffer = new byte[4096];
                    int n = Posix.ReadlinkAt(lowerParent, leaf, buffer);
                    if (n < 0 || Posix.SymlinkAt(buffer.AsSpan(0, n), dst, leaf) != 0)
                        throw Fail(e, "cannot copy up the hard link target", Posix.Errno);
                    break;
                case Posix.S_IFCHR or Posix.S_IFBLK or Posix.S_IFIFO:
                    if (Posix.MknodAt(dst, leaf, st.Mode, Posix.MakeDev(st.RdevMajor, st.RdevMinor)) != 0)
                        throw Fail(e, "cannot copy up the hard link target", Posix.Errno);
                    break;
                default:
                    return false;
            }
            if (_options.RestoreOwnership) Posix.FchownAt(dst, leaf, st.Uid, st.Gid);
            if (st.Type != Posix.S_IFLNK) Posix.FchmodAt(dst, leaf, st.Mode & 0xFFFu);
            var xattrs = Posix.ListXattrsAt(lowerParent, leaf);
            if (xattrs is not null)
                foreach (var (name, value) in xattrs)
                    if (!SkipXattr(name) && Posix.SetXattrAt(dst, leaf, name, value) != 0) XattrFailed(e, name, Posix.Errno);
            Posix.UtimensAt(dst, leaf, st.MtimeSec, st.MtimeNsec);
            return true;
        }
        finally
        {
            Posix.Close(lowerParent);
        }
    }

    private void CopyFileData(TarEntry e, int srcDir, ReadOnlySpan<byte> leaf, int dstDir, Posix.Statx st)
    {
        int src = Posix.OpenAt(srcDir, leaf, Posix.O_RDONLY | Posix.O_NOFOLLOW);
        if (src < 0) throw Fail(e, "cannot open the hard link target in the lower layer", Posix.Errno);
        int dst = Posix.OpenAt(dstDir, leaf, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW, 0b110_000_000);
        try
        {
            if (dst < 0) throw Fail(e, "cannot copy up the hard link target", Posix.Errno);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = Posix.Read(src, buffer)) > 0)
            {
                int errno = Posix.WriteAll(dst, buffer.AsSpan(0, n));
                if (errno != 0) throw Fail(e, "cannot copy up the hard link target", errno, BerthException.EngineError);
            }
            if (n < 0) throw Fail(e, "cannot read the hard link target in the lower layer", Posix.Errno);
            UnpackedSize += (long)st.Size;
        }
        finally
        {
            Posix.Close(src);
            if (dst >= 0) Posix.Close(dst);
        }
    }

    // ---- errors ----

    private static string Describe(TarEntryType t) => t switch
    {
        TarEntryType.Symlink => "symlink",
        TarEntryType.Directory => "directory",
        TarEntryType.CharDevice => "character device",
        TarEntryType.BlockDevice => "block device",
        TarEntryType.Fifo => "fifo",
        TarEntryType.HardLink => "hard link",
        _ => "file",
    };

    private static BerthException Fail(TarEntry e, string what) => LayerTarReader.Error(e.DisplayName, what);

    private static BerthException Fail(TarEntry e, string what, int errno, int exitCode = BerthException.EngineError) =>
        new($"layer tar: entry '{e.DisplayName}': {what}: {Posix.Describe(errno)}", exitCode);
}
