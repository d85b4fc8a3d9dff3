using System.Formats.Tar;
using Berth.Engine.Layers;
using TarEntryType = System.Formats.Tar.TarEntryType;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution.Sources;

/// <summary>
/// A build context given as a tar (<c>berth build - &lt; ctx.tar</c>): one pass indexes the headers
/// (name, kind, mode, owner, size, where the data starts); file data is read later, only for the
/// files a step copies. The tar must be a seekable file: stdin redirected from a file is used in
/// place, anything else is first spooled (decompressed) into a temp file by <see cref="Open"/>.
/// </summary>
public sealed class TarTree : ISourceTree
{
    private sealed record Node(SourceStat Stat, long DataOffset, string? LinkTarget)
    {
        public SortedSet<string>? Children { get; set; }
    }

    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly string? _spooled;

    private TarTree(string path, string? spooled)
    {
        _path = path;
        _spooled = spooled;
        _nodes[""] = new Node(new SourceStat(SourceKind.Directory, 0x1ED, 0, 0, 0, 0), -1, null) { Children = new(StringComparer.Ordinal) };
    }

    public string Description => "build context";

    /// <summary>
    /// Indexes the tar in <paramref name="input"/>: used in place when it is a seekable, uncompressed
    /// file; otherwise decompressed into a file in <paramref name="tmpDir"/> (removed on dispose).
    /// </summary>
    public static TarTree Open(Stream input, string tmpDir, string? inPlacePath = null)
    {
        string? spooled = null;
        string path;
        if (inPlacePath is not null && input.CanSeek && !IsCompressed(input))
        {
            path = inPlacePath;
        }
        else
        {
            Directory.CreateDirectory(tmpDir);
            spooled = path = Path.Combine(tmpDir, $"context-{Guid.NewGuid():N}.tar");
            using var decompressed = LayerCompression.OpenDecompressed(input, out _);
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            decompressed.CopyTo(file, 1 << 16);
        }
        var tree = new TarTree(path, spooled);
        try
        {
            tree.Index();
        }
        catch
        {
            tree.Dispose();
            throw;
        }
        return tree;
    }

    private static bool IsCompressed(Stream s)
    {
        var head = new byte[8];
        long at = s.Position;
        int n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        s.Position = at;
        return LayerCompression.Detect(head.AsSpan(0, n)) != Compression.None;
    }

    private void Index()
    {
        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        using var reader = new TarReader(file, leaveOpen: true);
        var hardLinks = new List<(string Path, string Target)>();
        try
        {
            while (reader.GetNextEntry(copyData: false) is { } e)
            {
                if (e.EntryType is TarEntryType.GlobalExtendedAttributes) continue;
                var path = TreePaths.Clean(e.Name);
                if (path.Length == 0) continue;
                if (TreePaths.Escapes(e.Name.TrimStart('/'))) throw new BerthException($"build context tar: entry \"{e.Name}\" points outside the context");
                var kind = e.EntryType switch
                {
                    TarEntryType.Directory => SourceKind.Directory,
                    TarEntryType.SymbolicLink => SourceKind.Symlink,
                    TarEntryType.CharacterDevice => SourceKind.CharDevice,
                    TarEntryType.BlockDevice => SourceKind.BlockDevice,
                    TarEntryType.Fifo => SourceKind.Fifo,
                    TarEntryType.HardLink => SourceKind.File,
                    TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => SourceKind.File,
                    _ => (SourceKind?)null,
                };
                if (kind is null) continue;
                if (e.EntryType == TarEntryType.HardLink) { hardLinks.Add((path, TreePaths.Clean(e.LinkName))); continue; }
                var stat = new SourceStat(kind.Value, (int)e.Mode & 0xFFF, e.Uid, e.Gid, kind == SourceKind.File ? e.Length : 0, e.ModificationTime.ToUnixTimeSeconds());
                if (e is PosixTarEntry p) stat = stat with { DevMajor = p.DeviceMajor, DevMinor = p.DeviceMinor };
                Add(path, new Node(stat, kind == SourceKind.File ? e.DataOffset : -1, kind == SourceKind.Symlink ? e.LinkName : null));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            throw new BerthException($"build context: not a valid tar archive: {ex.Message}");
        }
        foreach (var (path, target) in hardLinks)
            if (_nodes.TryGetValue(target, out var t) && t.Stat.Kind == SourceKind.File) Add(path, t);
    }

    private void Add(string path, Node node)
    {
        var parent = TreePaths.Parent(path);
        EnsureDirectory(parent);
        if (node.Stat.IsDirectory)
        {
            node.Children = _nodes.TryGetValue(path, out var existing) && existing.Children is { } c ? c : new(StringComparer.Ordinal);
        }
        else if (_nodes.TryGetValue(path, out var old) && old.Children is not null)
        {
            RemoveSubtree(path);
        }
        _nodes[path] = node;
        _nodes[parent].Children!.Add(TreePaths.Name(path));
    }

    private void EnsureDirectory(string path)
    {
        if (_nodes.TryGetValue(path, out var n) && n.Children is not null) return;
        // A parent the tar does not list: a plain directory, as docker's context upload makes it.
        var parent = TreePaths.Parent(path);
        EnsureDirectory(parent);
        _nodes[path] = new Node(new SourceStat(SourceKind.Directory, 0x1ED, 0, 0, 0, 0), -1, null) { Children = new(StringComparer.Ordinal) };
        _nodes[parent].Children!.Add(TreePaths.Name(path));
    }

    private void RemoveSubtree(string path)
    {
        if (_nodes.Remove(path, out var n) && n.Children is not null)
            foreach (var child in n.Children) RemoveSubtree(TreePaths.Join(path, child));
    }

    public SourceStat? Lstat(string path) => _nodes.TryGetValue(path, out var n) ? n.Stat : null;

    public IReadOnlyList<string> List(string dir) =>
        _nodes.TryGetValue(dir, out var n) && n.Children is { } c ? [.. c] : throw new BerthException($"{dir} is not a directory in the build context");

    public Stream OpenRead(string path)
    {
        if (!_nodes.TryGetValue(path, out var n) || n.DataOffset < 0) throw new BerthException($"{path} is not a file in the build context");
        var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        file.Position = n.DataOffset;
        return new BoundedStream(file, n.Stat.Size);
    }

    public string ReadLink(string path) =>
        _nodes.TryGetValue(path, out var n) && n.LinkTarget is { } t ? t : throw new BerthException($"{path} is not a symlink in the build context");

    public void Dispose()
    {
        if (_spooled is not null) File.Delete(_spooled);
    }

    /// <summary>The first <c>length</c> bytes of a stream, which it owns.</summary>
    private sealed class BoundedStream(Stream inner, long length) : Stream
    {
        private readonly long _length = length;
        private long _left = length;

        public override int Read(Span<byte> buffer)
        {
            if (_left <= 0) return 0;
            int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => _length;
        public override long Position { get => _length - _left; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
