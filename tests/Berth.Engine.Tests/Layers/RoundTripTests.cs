using Berth.Engine.Oci;
using TarReader = System.Formats.Tar.TarReader;
using Berth.Engine.Layers;

namespace Berth.Engine.Tests.Layers;

public class RoundTripTests
{
    // a file capability blob: vfs_cap_data v2 with cap_net_bind_service effective+permitted (binary, with NULs)
    private static readonly byte[] Capability = [0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

    internal static string LongDir => string.Join('/', Enumerable.Repeat(new string('d', 120), 3));

    /// <summary>A tree with every kind of thing a layer must keep.</summary>
    internal static void MakeRichTree(string t)
    {
        Kit.Sh($"""
            set -e
            umask 022
            cd '{t}'
            mkdir -p bin etc/sub tmp data 'ünïcode dir' '{LongDir}'
            printf 'hello\n' > etc/hello.txt
            printf '' > etc/empty
            head -c 3000000 /dev/urandom > data/big.bin
            printf 'suid' > bin/suid && chmod 4755 bin/suid
            printf 'sgid' > bin/sgid && chmod 2711 bin/sgid
            chmod 1777 tmp
            printf 'shared data' > data/linked && ln data/linked data/linked2 && ln data/linked etc/linked3
            ln -s /bin/busybox bin/sh
            ln -s ../etc/hello.txt data/rel-link
            ln -s '{new string('t', 150)}' data/long-target
            mknod dev-null c 1 3
            mknod dev-loop b 7 0
            mkfifo fifo
            printf 'deep' > '{LongDir}/file-in-a-long-path.txt'
            printf 'u' > 'ünïcode dir/fïle'
            chown 1000:2000 etc/hello.txt
            chown 3000000:3000001 data/linked
            chown -h 5:6 bin/sh
            touch -h -d '2001-02-03 04:05:06.789' bin/sh
            touch -d '1999-12-31 23:59:59' etc/hello.txt
            touch -d '2010-01-01 00:00:00' etc/sub etc
            """);
        Kit.SetXattr(Path.Combine(t, "bin/suid"), "security.capability", Capability);
        Kit.SetXattr(Path.Combine(t, "etc/hello.txt"), "user.note", "text value"u8.ToArray());
        Kit.SetXattr(Path.Combine(t, "etc/hello.txt"), "user.binary", [0, 1, 2, 255, 0, 10]);
        Kit.SetXattr(Path.Combine(t, "etc/sub"), "trusted.custom", "dir xattr"u8.ToArray());
        Kit.Sh($"touch -d '2010-01-01 00:00:00' '{t}/etc/sub' '{t}/etc'");
    }

    [Fact]
    public void TreeToTarToTreeKeepsEverything()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        MakeRichTree(src);
        var tar = Kit.Tar(src);

        var dst = tmp.Sub("dst");
        var result = Kit.Apply(tar, dst, new ApplyOptions { Whiteouts = WhiteoutMode.Delete });

        Assert.Equal(Kit.Manifest(src), Kit.Manifest(dst));
        Assert.Equal(tar.Length, result.TarSize);
        Assert.Equal(Digest.Compute(tar), result.DiffId);
        // the restored tree archives to the very same bytes
        Assert.Equal(Digest.Compute(tar), Digest.Compute(Kit.Tar(dst)));
    }

    [Fact]
    public void BinaryCapabilityXattrSurvivesByteExact()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        File.WriteAllText(Path.Combine(src, "ping"), "x");
        Kit.SetXattr(Path.Combine(src, "ping"), "security.capability", Capability);
        var tar = Kit.Tar(src);
        var entry = Assert.Single(Kit.List(tar));
        Assert.Equal(Capability, Assert.Single(entry.Xattrs).Value);

        var dst = tmp.Sub("dst");
        Kit.Apply(tar, dst);
        Assert.Equal(Capability, Kit.GetXattr(Path.Combine(dst, "ping"), "security.capability"));
        Assert.Contains("cap_net_bind_service", Kit.Sh($"getcap '{dst}/ping'"));
    }

    [Fact]
    public void SetuidSurvivesChownToAnotherOwner()
    {
        using var tmp = new TempDir();
        var tar = Kit.BuildTar(new TarSpec("su", TarEntryType.Regular, 0b100_111_101_101, Uid: 1000, Gid: 1000, Data: "x"),
                               new TarSpec("sg", TarEntryType.Regular, 0b010_111_101_101, Uid: 0, Gid: 50, Data: "y"));
        var dst = tmp.Sub("dst");
        Kit.Apply(tar, dst);
        var su = Kit.Lstat(Path.Combine(dst, "su"));
        Assert.Equal(0b1000_100_111_101_101, su.Mode); // S_IFREG | 04755
        Assert.Equal(1000u, su.Uid);
        var sg = Kit.Lstat(Path.Combine(dst, "sg"));
        Assert.Equal(0b1000_010_111_101_101, sg.Mode);
        Assert.Equal(50u, sg.Gid);
    }

    [Fact]
    public void HardLinkedDataIsWrittenOnce()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        Kit.Sh($"cd '{src}' && head -c 100000 /dev/urandom > a && ln a b && ln a c");
        var entries = Kit.List(Kit.Tar(src));
        Assert.Equal(["a", "b", "c"], entries.Select(e => e.Name));
        Assert.Equal(TarEntryType.Regular, entries[0].Type);
        Assert.Equal(100000, entries[0].Size);
        Assert.All(entries.Skip(1), e => Assert.Equal((TarEntryType.HardLink, "a", 0L), (e.Type, e.Link, e.Size)));

        var dst = tmp.Sub("dst");
        Kit.Apply(Kit.Tar(src), dst);
        Assert.Equal(Kit.Lstat(Path.Combine(dst, "a")).Ino, Kit.Lstat(Path.Combine(dst, "c")).Ino);
        Assert.Equal(3u, Kit.Lstat(Path.Combine(dst, "a")).Nlink);
    }

    [Fact]
    public void SymlinkTargetsAreStoredVerbatim()
    {
        using var tmp = new TempDir();
        var tar = Kit.BuildTar(Kit.Dir("bin/"), Kit.Symlink("bin/sh", "/bin/busybox"), Kit.Symlink("up", "../../../../etc"));
        var dst = tmp.Sub("dst");
        Kit.Apply(tar, dst);
        Assert.Equal("/bin/busybox", new FileInfo(Path.Combine(dst, "bin/sh")).LinkTarget);
        Assert.Equal("../../../../etc", new FileInfo(Path.Combine(dst, "up")).LinkTarget);
    }

    [Fact]
    public void SameTreeGivesSameDigestAnywhereAndAnyTime()
    {
        using var tmp = new TempDir();
        var a = tmp.Sub("a");
        MakeRichTree(a);
        var first = Kit.Tar(a);
        Assert.Equal(first, Kit.Tar(a));

        // a copy elsewhere (other inodes, other directory, sub-second mtimes dropped by cp) gives the same bytes
        var b = Path.Combine(tmp.Path, "b");
        Kit.Sh($"cp -a '{a}' '{b}'");
        Kit.Sh($"touch -h -d '2001-02-03 04:05:06.123' '{b}/bin/sh'");
        Assert.Equal(Digest.Compute(first), Digest.Compute(Kit.Tar(b)));

        // PAX headers carry a fixed name, never a pid
        var raw = System.Text.Encoding.Latin1.GetString(first);
        Assert.Contains("PaxHeaders.0/", raw);
        Assert.DoesNotContain($"PaxHeaders.{Environment.ProcessId}", raw);
    }

    /// <summary>
    /// A fully pinned tree (contents, owners, modes, mtimes, xattrs) must give this digest in every
    /// process, on every run: nothing process- or time-dependent may reach the bytes. If the tar
    /// format is changed on purpose, this constant changes with it (and layer digests with it).
    /// </summary>
    [Fact]
    public void PinnedTreeGivesTheGoldenDigestInEveryProcess()
    {
        using var tmp = new TempDir();
        var t = tmp.Sub("t");
        MakeRichTree(t);
        Kit.Sh($"cd '{t}' && head -c 3000000 /dev/zero > data/big.bin && find . -exec touch -h -d @1600000000 {{}} +");
        var actual = Digest.Compute(Kit.Tar(t)).ToString();
        Assert.True(actual == GoldenDigest, $"the pinned tree gave {actual}");
    }

    private const string GoldenDigest = "sha256:b286e96aa6a968a028a1864ce0602289af6a40ad6536e33e736613a5d97b5f88";

    [Fact]
    public void WriterOutputIsReadableByGnuTarAndTheBcl()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        MakeRichTree(src);
        var tarFile = Path.Combine(tmp.Path, "layer.tar");
        File.WriteAllBytes(tarFile, Kit.Tar(src));

        var gnu = tmp.Sub("gnu");
        Kit.Sh($"tar --xattrs --xattrs-include='*' --numeric-owner -xpf '{tarFile}' -C '{gnu}'");
        Assert.Equal(Kit.Sha(Path.Combine(src, "data/big.bin")), Kit.Sha(Path.Combine(gnu, "data/big.bin")));
        Assert.True(File.Exists(Path.Combine(gnu, LongDir, "file-in-a-long-path.txt")));
        Assert.Equal(Capability, Kit.GetXattr(Path.Combine(gnu, "bin/suid"), "security.capability"));
        Assert.Equal(Kit.Lstat(Path.Combine(gnu, "data/linked")).Ino, Kit.Lstat(Path.Combine(gnu, "etc/linked3")).Ino);

    }

    [Fact]
    public void WriterOutputIsReadableByTheBcl()
    {
        // System.Formats.Tar refuses binary xattr values (why we read with our own reader), so this tree has text ones only
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        Kit.Sh($"cd '{src}' && mkdir -p '{LongDir}' && echo x > '{LongDir}/f' && echo y > g && ln g h && chown 3000000 g");
        Kit.SetXattr(Path.Combine(src, "g"), "user.note", "text"u8.ToArray());
        var tar = Kit.Tar(src);
        using var reader = new TarReader(new MemoryStream(tar));
        var names = new List<string>();
        while (reader.GetNextEntry() is { } e)
        {
            names.Add(e.Name);
            if (e.Name == "g") Assert.Equal(3000000, e.Uid);
        }
        Assert.Equal(Kit.List(tar).Select(e => e.Name), names);
    }

    [Fact]
    public void GnuTarArchivesApplyFaithfully()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        MakeRichTree(src);
        var tarFile = Path.Combine(tmp.Path, "gnu.tar");
        foreach (var format in new[] { "posix", "gnu" })
        {
            Kit.Sh($"tar --format={format} --xattrs --xattrs-include='*' --numeric-owner -C '{src}' -cf '{tarFile}' .");
            var dst = tmp.Sub("dst-" + format);
            Kit.Apply(File.ReadAllBytes(tarFile), dst, new ApplyOptions { Whiteouts = WhiteoutMode.Delete });
            var expected = Kit.Manifest(src);
            if (format == "gnu") expected = string.Join('\n', expected.Split('\n').Select(StripXattrs)); // gnu format has no xattrs
            var actual = Kit.Manifest(dst);
            if (format == "gnu") actual = string.Join('\n', actual.Split('\n').Select(StripXattrs));
            Assert.Equal(expected, actual);
        }

        static string StripXattrs(string line) =>
            string.Join(' ', line.Split(' ').Where(w => !(w.Contains('=') && (w.StartsWith("user.") || w.StartsWith("security.") || w.StartsWith("trusted.")))));
    }

    [Fact]
    public void MtimesAreRestoredIncludingDirectoriesAndSymlinks()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        MakeRichTree(src);
        var dst = tmp.Sub("dst");
        Kit.Apply(Kit.Tar(src), dst);
        Assert.Equal(Kit.Lstat(Path.Combine(src, "etc")).MtimeSec, Kit.Lstat(Path.Combine(dst, "etc")).MtimeSec);
        Assert.Equal(Kit.Lstat(Path.Combine(src, "bin/sh")).MtimeSec, Kit.Lstat(Path.Combine(dst, "bin/sh")).MtimeSec);
        Assert.Equal(new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero).ToUnixTimeSeconds() - (long)TimeZoneInfo.Local.GetUtcOffset(new DateTime(1999, 12, 31)).TotalSeconds,
            Kit.Lstat(Path.Combine(dst, "etc/hello.txt")).MtimeSec);
    }

    [Fact]
    public void PrefixNamesEntriesForCp()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        Kit.Sh($"mkdir -p '{src}/d' && echo x > '{src}/d/f' && echo y > '{src}/single'");
        var names = Kit.List(Kit.Tar(Path.Combine(src, "d"), new TreeOptions { NamePrefix = "copy" })).Select(e => e.Name);
        Assert.Equal(["copy/", "copy/f"], names);
        var single = Assert.Single(Kit.List(Kit.Tar(Path.Combine(src, "single"))));
        Assert.Equal(("single", TarEntryType.Regular, 2L), (single.Name, single.Type, single.Size));
    }

    [Fact]
    public void ExistingDirectoriesMergeAndOtherTypesAreReplaced()
    {
        using var tmp = new TempDir();
        var dst = tmp.Sub("dst");
        Kit.Sh($"cd '{dst}' && mkdir -p keep was-dir/sub && echo old > keep/old && echo x > was-dir/sub/f && echo f > was-file && ln -s /nowhere was-link");
        var tar = Kit.BuildTar(Kit.Dir("keep/", 0b111_000_000), Kit.File("keep/new", "n"), Kit.File("was-dir", "now a file"),
                               Kit.Dir("was-file/"), Kit.File("was-file/inside", "i"), Kit.File("was-link", "now a file"));
        Kit.Apply(tar, dst, new ApplyOptions { Whiteouts = WhiteoutMode.Delete });
        Assert.Equal("old\n", File.ReadAllText(Path.Combine(dst, "keep/old")));
        Assert.Equal("n", File.ReadAllText(Path.Combine(dst, "keep/new")));
        Assert.Equal(0b111_000_000u, Kit.Lstat(Path.Combine(dst, "keep")).Mode & 0xFFFu);
        Assert.Equal("now a file", File.ReadAllText(Path.Combine(dst, "was-dir")));
        Assert.Equal("i", File.ReadAllText(Path.Combine(dst, "was-file/inside")));
        Assert.Equal(Posix.S_IFREG, Kit.Lstat(Path.Combine(dst, "was-link")).Type);
    }

    [Fact]
    public void MissingParentsAreCreated()
    {
        using var tmp = new TempDir();
        var dst = tmp.Sub("dst");
        Kit.Apply(Kit.BuildTar(Kit.File("./a/b/c/file", "x")), dst);
        Assert.Equal("x", File.ReadAllText(Path.Combine(dst, "a/b/c/file")));
    }

    [Fact]
    public void DataAfterTheEndBlocksIsPartOfTheDiffId()
    {
        using var tmp = new TempDir();
        var tar = Kit.BuildTar(Kit.File("f", "x")).Concat(new byte[10240 - 2048]).ToArray(); // GNU tar pads to 10 KiB
        var result = Kit.Apply(tar, tmp.Sub("dst"));
        Assert.Equal(tar.Length, result.TarSize);
        Assert.Equal(Digest.Compute(tar), result.DiffId);
        Assert.Equal(1, result.Entries);
        Assert.Equal(1, result.UnpackedSize);
    }
}
