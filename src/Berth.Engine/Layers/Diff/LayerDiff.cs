using System.Text;

namespace Berth.Engine.Layers;

/// <summary>Directory trees and overlay upper directories as layer tars, and <c>berth diff</c>'s change list.</summary>
public static class LayerDiff
{
    /// <summary>
    /// A whole tree as a layer (import of a directory, flat export, <c>cp</c> out): every entry,
    /// depth-first, each directory's names in byte order. With <see cref="TreeOptions.NamePrefix"/>
    /// the root may also be a single file or symlink.
    /// </summary>
    public static DiffResult WriteTree(string root, Stream output, TreeOptions? options = null)
    {
        options ??= new TreeOptions();
        using var writer = new LayerTarWriter(output);
        if (Posix.StatAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(root), out var st) != 0)
            throw new BerthException($"cannot read {root}: {Posix.Describe(Posix.Errno)}");
        if (!st.IsDir)
        {
            WriteSingle(root, writer, options.NamePrefix ?? Path.GetFileName(root.TrimEnd('/')));
        }
        else
        {
            int rootFd = TreeWalker.OpenRoot(root);
            try
            {
                var archiver = new TreeArchiver(writer, options.NamePrefix, overlayUpper: false);
                archiver.WriteRoot(rootFd);
                TreeWalker.Walk(rootFd, archiver.Visit);
            }
            finally
            {
                Posix.Close(rootFd);
            }
        }
        var (digest, size) = writer.Finish();
        return new DiffResult(digest, size, writer.DataBytes);
    }

    /// <summary>
    /// An overlay upper directory as a layer: 0/0 character devices become <c>.wh.NAME</c>, opaque
    /// directories get a <c>.wh..wh..opq</c> entry, other trusted.overlay.* xattrs are dropped.
    /// </summary>
    public static DiffResult WriteOverlayUpper(string upperDir, Stream output)
    {
        using var writer = new LayerTarWriter(output);
        int rootFd = TreeWalker.OpenRoot(upperDir);
        try
        {
            TreeWalker.Walk(rootFd, new TreeArchiver(writer, null, overlayUpper: true).Visit);
        }
        finally
        {
            Posix.Close(rootFd);
        }
        var (digest, size) = writer.Finish();
        return new DiffResult(digest, size, writer.DataBytes);
    }

    /// <summary>
    /// <c>berth diff</c>: what an upper directory added (A), changed (C) or deleted (D) against its lower
    /// directories (top first), in docker's order: a walk of the upper directory, each added or
    /// deleted path preceded by its parent as changed; an opaque directory is reported deleted and
    /// its contents added.
    /// </summary>
    public static IReadOnlyList<Change> Changes(string upperDir, IReadOnlyList<string> lowerDirs)
    {
        var changes = new List<Change>();
        var changedDirs = new HashSet<string>(StringComparer.Ordinal);
        var lowers = lowerDirs.Select(l => Encoding.UTF8.GetBytes(l.TrimEnd('/'))).ToArray();
        int rootFd = TreeWalker.OpenRoot(upperDir);
        try
        {
            TreeWalker.Walk(rootFd, (int dirFd, ReadOnlySpan<byte> name, ReadOnlySpan<byte> relPath, in Posix.Statx st) =>
            {
                var path = "/" + Encoding.UTF8.GetString(relPath);
                ChangeKind kind;
                if (IsDeleted(dirFd, name, st)) kind = ChangeKind.Deleted;
                else
                {
                    kind = ChangeKind.Added;
                    foreach (var lower in lowers)
                    {
                        if (!StatLower(lower, relPath, out var lst)) continue;
                        // a directory that exists below with the same size, mode and mtime was only
                        // copied up because something inside it changed
                        if (st.IsDir && lst.IsDir && st.Size == lst.Size && st.Mode == lst.Mode && SameTime(st, lst))
                            return true;
                        kind = ChangeKind.Changed;
                        break;
                    }
                }
                if (st.IsDir) changedDirs.Add(path);
                if (kind != ChangeKind.Changed)
                {
                    var parent = path[..path.LastIndexOf('/')];
                    if (parent.Length > 0 && changedDirs.Add(parent)) changes.Add(new Change(ChangeKind.Changed, parent));
                }
                changes.Add(new Change(kind, path));
                return true;
            });
        }
        finally
        {
            Posix.Close(rootFd);
        }
        return changes;
    }

    private static bool IsDeleted(int dirFd, ReadOnlySpan<byte> name, in Posix.Statx st)
    {
        if (st.Type == Posix.S_IFCHR && st.RdevMajor == 0 && st.RdevMinor == 0) return true;
        if (st.IsDir)
        {
            var opaque = Posix.GetXattrAt(dirFd, name, "trusted.overlay.opaque");
            return opaque is [(byte)'y'];
        }
        if (st.Type == Posix.S_IFREG && st.Size == 0) return Posix.GetXattrAt(dirFd, name, "trusted.overlay.whiteout") is not null;
        return false;
    }

    private static bool StatLower(byte[] lower, ReadOnlySpan<byte> relPath, out Posix.Statx st)
    {
        Span<byte> path = new byte[lower.Length + 1 + relPath.Length];
        lower.CopyTo(path);
        path[lower.Length] = (byte)'/';
        relPath.CopyTo(path[(lower.Length + 1)..]);
        return Posix.StatAt(Posix.AT_FDCWD, path, out st) == 0;
    }

    /// <summary>docker's sameFsTime: equal, or the same second with one side lacking nanoseconds (tar-restored).</summary>
    private static bool SameTime(in Posix.Statx a, in Posix.Statx b) =>
        a.MtimeSec == b.MtimeSec && (a.MtimeNsec == b.MtimeNsec || a.MtimeNsec == 0 || b.MtimeNsec == 0);

    private static void WriteSingle(string path, LayerTarWriter writer, string name)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        var parent = Path.GetDirectoryName(full) ?? "/";
        int parentFd = TreeWalker.OpenRoot(parent);
        try
        {
            var leaf = Encoding.UTF8.GetBytes(Path.GetFileName(full));
            if (Posix.StatAt(parentFd, leaf, out var st) != 0)
                throw new BerthException($"cannot read {path}: {Posix.Describe(Posix.Errno)}");
            new TreeArchiver(writer, name, overlayUpper: false).Visit(parentFd, leaf, default, st);
        }
        finally
        {
            Posix.Close(parentFd);
        }
    }
}
