using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Berth.Engine.Layers;

namespace Berth.Engine.Tests.Layers;

/// <summary>A temp directory that unmounts what is mounted below it and removes itself.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("berth-layers-").FullName;

    public string Path { get; }

    public string Sub(string name)
    {
        var p = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(p);
        return p;
    }

    public void Dispose()
    {
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo").Reverse())
        {
            var mount = line.Split(' ')[4];
            if (mount.StartsWith(Path + "/", StringComparison.Ordinal)) Kit.Sh($"umount -l '{mount}'");
        }
        Kit.Sh($"rm -rf '{Path}'");
    }
}

internal static class Kit
{
    public static string Sh(string script, bool check = true)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (check && p.ExitCode != 0) throw new Xunit.Sdk.XunitException($"`{script}` failed ({p.ExitCode}): {stderr}");
        return stdout.Result;
    }

    public static byte[] Tar(string root, TreeOptions? options = null)
    {
        var ms = new MemoryStream();
        LayerDiff.WriteTree(root, ms, options);
        return ms.ToArray();
    }

    public static ApplyResult Apply(byte[] tar, string root, ApplyOptions? options = null) =>
        LayerApplier.Apply(new MemoryStream(tar), root, options);

    /// <summary>Builds a tar from entries with our writer (names are written verbatim, so hostile ones too).</summary>
    public static byte[] BuildTar(params TarSpec[] entries)
    {
        var ms = new MemoryStream();
        using (var w = new LayerTarWriter(ms))
        {
            var e = new TarEntry();
            foreach (var s in entries)
            {
                e.Reset();
                e.SetName(s.Name);
                e.Type = s.Type;
                e.Mode = s.Mode;
                e.Uid = s.Uid;
                e.Gid = s.Gid;
                e.MtimeSeconds = 1_600_000_000;
                if (s.Link is not null) e.SetLinkName(s.Link);
                var data = Encoding.UTF8.GetBytes(s.Data ?? "");
                e.Size = data.Length;
                if (s.Xattrs is not null) e.Xattrs.AddRange(s.Xattrs);
                w.WriteHeader(e);
                if (s.Type == TarEntryType.Regular) w.WriteData(data);
            }
            w.Finish();
        }
        return ms.ToArray();
    }

    public static TarSpec File(string name, string data = "", int mode = 0b110_100_100) => new(name, TarEntryType.Regular, mode, Data: data);
    public static TarSpec Dir(string name, int mode = 0b111_101_101) => new(name, TarEntryType.Directory, mode);
    public static TarSpec Symlink(string name, string target) => new(name, TarEntryType.Symlink, 0b111_111_111, Link: target);
    public static TarSpec HardLink(string name, string target) => new(name, TarEntryType.HardLink, 0b110_100_100, Link: target);

    /// <summary>Entries of a tar as (name, type, linkname) read back with our reader.</summary>
    public static List<(string Name, TarEntryType Type, string Link, long Size, List<Xattr> Xattrs)> List(byte[] tar)
    {
        var list = new List<(string, TarEntryType, string, long, List<Xattr>)>();
        using var r = new LayerTarReader(new MemoryStream(tar));
        while (r.MoveNext())
        {
            var e = r.Current;
            list.Add((e.DisplayName, e.Type, e.DisplayLinkName, e.Size, [.. e.Xattrs]));
        }
        return list;
    }

    public static string Sha(string file) => Convert.ToHexStringLower(SHA256.HashData(System.IO.File.ReadAllBytes(file)));

    public static void SetXattr(string path, string name, byte[] value)
    {
        var dir = System.IO.Path.GetDirectoryName(path)!;
        int fd = Posix.OpenAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(dir), Posix.O_PATH | Posix.O_DIRECTORY);
        try
        {
            if (Posix.SetXattrAt(fd, Encoding.UTF8.GetBytes(System.IO.Path.GetFileName(path)), name, value) != 0)
                throw new Xunit.Sdk.XunitException($"setxattr {name} on {path}: errno {Posix.Errno}");
        }
        finally
        {
            Posix.Close(fd);
        }
    }

    public static byte[]? GetXattr(string path, string name)
    {
        var dir = System.IO.Path.GetDirectoryName(path)!;
        int fd = Posix.OpenAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(dir), Posix.O_PATH | Posix.O_DIRECTORY);
        try
        {
            return Posix.GetXattrAt(fd, Encoding.UTF8.GetBytes(System.IO.Path.GetFileName(path)), name);
        }
        finally
        {
            Posix.Close(fd);
        }
    }

    public static Posix.Statx Lstat(string path)
    {
        if (Posix.StatAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(path), out var st) != 0)
            throw new Xunit.Sdk.XunitException($"lstat {path}: errno {Posix.Errno}");
        return st;
    }

    public static bool Exists(string path) => Posix.StatAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(path), out _) == 0;

    /// <summary>
    /// A manifest of a tree for comparisons: one line per entry with type, mode, owner, size, mtime
    /// (seconds), device, link target, xattrs, content hash and hard-link group.
    /// </summary>
    public static string Manifest(string root)
    {
        var lines = new List<string>();
        var inodes = new Dictionary<ulong, string>();
        int rootFd = Posix.OpenAt(Posix.AT_FDCWD, Encoding.UTF8.GetBytes(root), Posix.O_RDONLY | Posix.O_DIRECTORY);
        try
        {
            TreeWalker.Walk(rootFd, (int dirFd, ReadOnlySpan<byte> name, ReadOnlySpan<byte> rel, in Posix.Statx st) =>
            {
                var path = Encoding.UTF8.GetString(rel);
                var sb = new StringBuilder();
                sb.Append(path).Append(' ').Append(Convert.ToString(st.Mode, 8)).Append(' ').Append(st.Uid).Append(':').Append(st.Gid);
                if (!st.IsDir) sb.Append(" size=").Append(st.Size);
                sb.Append(" mtime=").Append(st.MtimeSec);
                if (st.Type is Posix.S_IFCHR or Posix.S_IFBLK) sb.Append(" dev=").Append(st.RdevMajor).Append(',').Append(st.RdevMinor);
                var full = System.IO.Path.Combine(root, path);
                if (st.Type == Posix.S_IFLNK) sb.Append(" -> ").Append(new FileInfo(full).LinkTarget);
                if (st.Type == Posix.S_IFREG)
                {
                    sb.Append(" sha=").Append(Sha(full)[..16]);
                    if (st.Nlink > 1)
                    {
                        if (!inodes.TryGetValue(st.Ino, out var first)) inodes[st.Ino] = first = path;
                        sb.Append(" link=").Append(first);
                    }
                }
                var xattrs = Posix.ListXattrsAt(dirFd, name);
                if (xattrs is not null)
                    foreach (var (k, v) in xattrs.OrderBy(x => x.Key, StringComparer.Ordinal))
                        sb.Append(' ').Append(k).Append('=').Append(Convert.ToHexString(v));
                lines.Add(sb.ToString());
                return true;
            });
        }
        finally
        {
            Posix.Close(rootFd);
        }
        return string.Join('\n', lines);
    }
}

public sealed record TarSpec(string Name, TarEntryType Type, int Mode, long Uid = 0, long Gid = 0, string? Link = null, string? Data = null, Xattr[]? Xattrs = null);
