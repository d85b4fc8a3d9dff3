using System.Text;
using Berth.Engine.Layers;

namespace Berth.Engine.Tests.Layers;

/// <summary>
/// Layers are untrusted input. Every case here must leave the victim directory outside the root
/// untouched and either refuse with a one-line BerthException or keep the write inside the root.
/// </summary>
public sealed class HostileTarTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly string _root;
    private readonly string _victim;
    private readonly string _victimFile;

    public HostileTarTests()
    {
        _root = _tmp.Sub("root");
        _victim = _tmp.Sub("victim");
        _victimFile = Path.Combine(_victim, "passwd");
        File.WriteAllText(_victimFile, "root:x:0:0\n");
    }

    public void Dispose() => _tmp.Dispose();

    private void AssertVictimUntouched()
    {
        Assert.Equal(["passwd"], Directory.GetFileSystemEntries(_victim).Select(Path.GetFileName));
        Assert.Equal("root:x:0:0\n", File.ReadAllText(_victimFile));
    }

    private BerthException Refused(byte[] tar, ApplyOptions? options = null)
    {
        var ex = Assert.ThrowsAny<BerthException>(() => Kit.Apply(tar, _root, options));
        Assert.StartsWith("layer tar: ", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        AssertVictimUntouched();
        return ex;
    }

    private string RelToVictim => Path.GetRelativePath(_root, _victimFile); // "../victim/passwd"

    [Fact]
    public void DotDotNamesAreRefused()
    {
        var ex = Refused(Kit.BuildTar(Kit.File(RelToVictim, "owned")));
        Assert.Contains("escapes the root", ex.Message);
        Refused(Kit.BuildTar(Kit.File("a/../../victim/passwd", "owned")));
    }

    [Fact]
    public void AbsoluteNamesAreRefused()
    {
        var ex = Refused(Kit.BuildTar(Kit.File(_victimFile, "owned")));
        Assert.Contains("absolute path", ex.Message);
        Assert.Contains(_victimFile, ex.Message);
    }

    [Fact]
    public void DotDotThatStaysInsideIsFine()
    {
        Kit.Apply(Kit.BuildTar(Kit.File("a/../b", "ok")), _root);
        Assert.Equal("ok", File.ReadAllText(Path.Combine(_root, "b")));
    }

    [Fact]
    public void WritingThroughAnAbsoluteSymlinkStaysInside()
    {
        // evil -> /…/victim, then evil/passwd: resolved as in a chroot, so it lands in root/…/victim/passwd
        Kit.Apply(Kit.BuildTar(Kit.Symlink("evil", _victim), Kit.File("evil/passwd", "owned")), _root);
        AssertVictimUntouched();
        Assert.Equal("owned", File.ReadAllText(Path.Combine(_root, _victim.TrimStart('/'), "passwd")));
    }

    [Fact]
    public void WritingThroughARelativeSymlinkStaysInside()
    {
        Kit.Apply(Kit.BuildTar(Kit.Symlink("evil", "../../../../../../" + _victim.TrimStart('/')), Kit.File("evil/passwd", "owned")), _root);
        AssertVictimUntouched();
        Assert.Equal("owned", File.ReadAllText(Path.Combine(_root, _victim.TrimStart('/'), "passwd")));
    }

    [Fact]
    public void SymlinkChainsStayInside()
    {
        var tar = Kit.BuildTar(Kit.Dir("a/"), Kit.Symlink("a/b", "../c"), Kit.Symlink("c", "/d"), Kit.Symlink("d", "../.." + _victim),
                               Kit.File("a/b/passwd", "owned"));
        Kit.Apply(tar, _root);
        AssertVictimUntouched();
        Assert.Equal("owned", File.ReadAllText(Path.Combine(_root, _victim.TrimStart('/'), "passwd")));
    }

    [Fact]
    public void ASymlinkEntryNeverReplacesTheFileItPointsTo()
    {
        // the file "passwd" -> victim, then a regular file "passwd": the symlink is replaced, not followed
        Kit.Apply(Kit.BuildTar(Kit.Symlink("passwd", _victimFile), Kit.File("passwd", "owned")), _root);
        AssertVictimUntouched();
        Assert.Equal("owned", File.ReadAllText(Path.Combine(_root, "passwd")));
    }

    [Fact]
    public void HardLinksOutsideTheRootAreRefused()
    {
        var ex = Refused(Kit.BuildTar(Kit.HardLink("x", RelToVictim)));
        Assert.Contains("escapes the root", ex.Message);
        Refused(Kit.BuildTar(Kit.HardLink("x", _victimFile)));
        // through a symlink: the target is resolved inside the root, where it does not exist
        ex = Refused(Kit.BuildTar(Kit.Symlink("evil", _victim), Kit.HardLink("x", "evil/passwd")));
        Assert.Contains("not in the layer", ex.Message);
        Assert.False(File.Exists(Path.Combine(_root, "x")));
    }

    [Fact]
    public void HardLinkThenWriteDoesNotReachTheHost()
    {
        Refused(Kit.BuildTar(Kit.HardLink("x", "../victim/passwd"), Kit.File("x", "owned")));
        Assert.Equal(1u, Kit.Lstat(_victimFile).Nlink);
    }

    [Fact]
    public void OverlayXattrsFromTheTarAreIgnored()
    {
        var tar = Kit.BuildTar(new TarSpec("d/", TarEntryType.Directory, 0b111_101_101,
            Xattrs: [new Xattr("trusted.overlay.redirect", "/etc"u8.ToArray()), new Xattr("trusted.overlay.opaque", "y"u8.ToArray())]));
        Kit.Apply(tar, _root);
        Assert.Null(Kit.GetXattr(Path.Combine(_root, "d"), "trusted.overlay.redirect"));
        Assert.Null(Kit.GetXattr(Path.Combine(_root, "d"), "trusted.overlay.opaque"));
    }

    [Fact]
    public void TruncatedArchivesAreRefused()
    {
        var tar = Kit.BuildTar(Kit.File("f", new string('x', 5000)));
        var ex = Refused(tar[..2000]);
        Assert.Contains("truncated", ex.Message);
        Assert.Contains("'f'", ex.Message);
        Refused(tar[..300]); // inside the header
    }

    [Fact]
    public void BadChecksumsAreRefused()
    {
        var tar = Kit.BuildTar(Kit.File("f", "data"));
        tar[10] ^= 0x20;
        var ex = Refused(tar);
        Assert.Contains("checksum", ex.Message);
        Refused(Encoding.ASCII.GetBytes(new string('z', 2048))); // not a tar at all
    }

    [Fact]
    public void OversizedPaxRecordsAreRefused()
    {
        var tar = Kit.BuildTar(Kit.File(new string('a', 3000), "x"));
        var ex = Refused(tar, new ApplyOptions { MaxHeaderBytes = 1024 });
        Assert.Contains("larger than the limit", ex.Message);
    }

    [Fact]
    public void OversizedGnuLongNamesAreRefused()
    {
        // a GNU 'L' record claiming 1 GiB
        var header = RawHeader("././@LongLink", (byte)'L', sizeField: Octal(1L << 30, 12));
        var ex = Refused(header.Concat(new byte[1024]).ToArray());
        Assert.Contains("larger than the limit", ex.Message);
    }

    [Fact]
    public void NegativeSizesAreRefused()
    {
        var size = new byte[12];
        Array.Fill(size, (byte)0xff); // base-256 -1
        var ex = Refused(RawHeader("f", (byte)'0', size).Concat(new byte[1024]).ToArray());
        Assert.Contains("size", ex.Message);
    }

    [Fact]
    public void GnuLongNamesAndBase256NumbersAreRead()
    {
        var name = "long/" + new string('n', 200);
        var longName = Encoding.ASCII.GetBytes(name + "\0");
        var size = new byte[12];
        size[0] = 0x80;
        size[11] = 3; // base-256 3
        var uid = new byte[8];
        uid[0] = 0x80;
        uid[5] = 0x2d; // 0x2dc6c0 = 3000000
        uid[6] = 0xc6;
        uid[7] = 0xc0;
        var tar = RawHeader("././@LongLink", (byte)'L', Octal(longName.Length, 12))
            .Concat(Pad(longName))
            .Concat(RawHeader("truncated-name", (byte)'0', size, uid))
            .Concat(Pad("abc"u8.ToArray()))
            .Concat(new byte[1024]).ToArray();
        Kit.Apply(tar, _root);
        var file = Path.Combine(_root, name);
        Assert.Equal("abc", File.ReadAllText(file));
        Assert.Equal(3000000u, Kit.Lstat(file).Uid);
    }

    [Fact]
    public void NulBytesInPaxNamesAreRefused()
    {
        var record = "20 path=a\0b/../../x\n"u8.ToArray();
        var tar = RawHeader("PaxHeaders.0/x", (byte)'x', Octal(record.Length, 12)).Concat(Pad(record))
            .Concat(RawHeader("x", (byte)'0', Octal(0, 12))).Concat(new byte[1024]).ToArray();
        var ex = Refused(tar);
        Assert.Contains("NUL", ex.Message);
    }

    [Fact]
    public void RootMayOnlyBeADirectory()
    {
        var ex = Refused(Kit.BuildTar(Kit.File("./", "x")));
        Assert.Contains("root", ex.Message);
    }

    // ---- raw tar building, for what our writer would never produce ----

    private static byte[] Octal(long v, int width)
    {
        var f = new byte[width];
        var s = Convert.ToString(v, 8).PadLeft(width - 1, '0');
        Encoding.ASCII.GetBytes(s).CopyTo(f, 0);
        return f;
    }

    private static byte[] Pad(byte[] data) => data.Concat(new byte[(512 - data.Length % 512) % 512]).ToArray();

    private static byte[] RawHeader(string name, byte type, byte[] sizeField, byte[]? uidField = null)
    {
        var h = new byte[512];
        Encoding.ASCII.GetBytes(name).AsSpan(0, Math.Min(name.Length, 100)).CopyTo(h);
        Octal(0b110_100_100, 8).CopyTo(h, 100);
        (uidField ?? Octal(0, 8)).CopyTo(h, 108);
        Octal(0, 8).CopyTo(h, 116);
        sizeField.CopyTo(h, 124);
        Octal(0, 12).CopyTo(h, 136);
        h[156] = type;
        "ustar\000"u8.CopyTo(h.AsSpan(257));
        for (int i = 148; i < 156; i++) h[i] = (byte)' ';
        int sum = h.Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(h, 148);
        return h;
    }
}
