using Berth.Engine.Oci;

namespace Berth.Engine.Layers;

/// <summary>What the applier does with OCI whiteouts (<c>.wh.NAME</c>, <c>.wh..wh..opq</c>).</summary>
public enum WhiteoutMode
{
    /// <summary>
    /// Apply into a snapshot directory that will be an overlayfs layer: <c>.wh.name</c> becomes a
    /// 0/0 character device <c>name</c>; <c>.wh..wh..opq</c> sets trusted.overlay.opaque=y on its dir.
    /// </summary>
    Overlay,
    /// <summary>Apply onto a flat tree (export, cp, a directory rootfs): whiteouts delete what they name.</summary>
    Delete,
}

public sealed record ApplyOptions
{
    public WhiteoutMode Whiteouts { get; init; } = WhiteoutMode.Overlay;

    /// <summary>
    /// Overlay mode only: the lower snapshot dirs (top first). A hard link whose target is not in this
    /// layer but in a lower one is resolved there and copied up; a parent directory the tar does not
    /// list is created with the lower directory's owner, mode and mtime.
    /// </summary>
    public IReadOnlyList<string> LowerDirs { get; init; } = [];

    /// <summary>chown to the tar's uid/gid.</summary>
    public bool RestoreOwnership { get; init; } = true;

    /// <summary>PAX/GNU long-name records larger than this are refused.</summary>
    public long MaxHeaderBytes { get; init; } = 1 << 20;
}

/// <param name="DiffId">sha256 of the uncompressed tar bytes (all of them, trailing bytes included).</param>
/// <param name="TarSize">Bytes of the uncompressed tar.</param>
/// <param name="UnpackedSize">Bytes of regular-file data written (a hard-linked file once).</param>
/// <param name="Entries">Tar entries applied, whiteouts included.</param>
public sealed record ApplyResult(Digest DiffId, long TarSize, long UnpackedSize, int Entries)
{
    /// <summary>xattrs the target filesystem refused (ENOTSUP/EPERM) and that were skipped, as docker does.</summary>
    public int XattrsSkipped { get; init; }
}

/// <param name="DiffId">sha256 of the tar written.</param>
/// <param name="TarSize">Bytes of tar written.</param>
/// <param name="UnpackedSize">Bytes of regular-file data in it.</param>
public sealed record DiffResult(Digest DiffId, long TarSize, long UnpackedSize);

public sealed record TreeOptions
{
    /// <summary>
    /// Entries are named <c>prefix/...</c> and the root itself is an entry <c>prefix/</c> (for cp);
    /// without a prefix the root is not an entry, as in docker's layers.
    /// </summary>
    public string? NamePrefix { get; init; }
}

public enum ChangeKind { Added, Changed, Deleted }

/// <summary>One line of <c>berth diff</c>: the kind and the absolute path in the container.</summary>
public sealed record Change(ChangeKind Kind, string Path)
{
    /// <summary>docker's letter: A, C or D.</summary>
    public char Letter => Kind switch { ChangeKind.Added => 'A', ChangeKind.Deleted => 'D', _ => 'C' };

    public override string ToString() => $"{Letter} {Path}";
}
