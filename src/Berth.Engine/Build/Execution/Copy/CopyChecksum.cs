using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Berth.Engine.Build.Cache;
using Berth.Engine.Build.Context;
using Berth.Engine.Build.Execution.Sources;

namespace Berth.Engine.Build.Execution.Copy;

/// <summary>
/// The checksum of what a COPY reads: for every entry its path, kind, permission bits, size,
/// symlink target and the sha256 of its content. Owners and mtimes are left out (a COPY from the
/// context sets the owner itself; a touched file must still hit the cache). Large files' digests
/// may come from <see cref="FileSums"/>, which remembers them by inode, size, mtime and ctime.
/// </summary>
public static class CopyChecksum
{
    /// <param name="sums">Remembered digests of large files (null: read every file).</param>
    public static string Compute(ISourceTree tree, IReadOnlyList<CopyMatch> matches, IgnoreMatcher ignore, IgnoreMatcher excludes, FileSums? sums = null)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        foreach (var m in matches)
        {
            Text(h, "match");
            Text(h, m.Path);
            CopyWalk.Walk(tree, m, ignore, excludes, (rel, path, st) =>
            {
                Text(h, rel);
                Number(h, (long)st.Kind);
                Number(h, st.Mode);
                switch (st.Kind)
                {
                    case SourceKind.File:
                        Number(h, st.Size);
                        var sum = sums?.Find(tree, path, st);
                        if (sum is null)
                        {
                            sum = FileHash(tree, path, buffer);
                            sums?.Add(tree, path, st, sum);
                        }
                        h.AppendData(sum);
                        break;
                    case SourceKind.Symlink:
                        Text(h, tree.ReadLink(path));
                        break;
                    case SourceKind.CharDevice or SourceKind.BlockDevice:
                        Number(h, st.DevMajor);
                        Number(h, st.DevMinor);
                        break;
                }
            });
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    private static byte[] FileHash(ISourceTree tree, string path, byte[] buffer)
    {
        using var s = tree.OpenRead(path);
        using var fh = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int n;
        while ((n = s.Read(buffer)) > 0) fh.AppendData(buffer, 0, n);
        return fh.GetHashAndReset();
    }

    private static void Text(IncrementalHash h, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Number(h, bytes.Length);
        h.AppendData(bytes);
    }

    private static void Number(IncrementalHash h, long v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(b, v);
        h.AppendData(b);
    }
}
