using System.Text;

namespace Berth.Engine.Layers;

public enum TarEntryType : byte
{
    Regular = (byte)'0',
    HardLink = (byte)'1',
    Symlink = (byte)'2',
    CharDevice = (byte)'3',
    BlockDevice = (byte)'4',
    Directory = (byte)'5',
    Fifo = (byte)'6',
}

/// <summary>An extended attribute: its name, and its value byte-exact (binary values are common).</summary>
public readonly record struct Xattr(string Name, byte[] Value);

/// <summary>
/// One tar member's header. Names are bytes, as Linux file names are. The reader reuses one instance
/// for every entry (no allocation per entry), so copy what you keep.
/// </summary>
public sealed class TarEntry
{
    private byte[] _name = new byte[256];
    private byte[] _linkName = new byte[256];

    public int NameLength { get; private set; }
    public int LinkNameLength { get; private set; }
    public ReadOnlySpan<byte> Name => _name.AsSpan(0, NameLength);
    /// <summary>Symlink target, or the archive name a hard link points to.</summary>
    public ReadOnlySpan<byte> LinkName => _linkName.AsSpan(0, LinkNameLength);

    public TarEntryType Type { get; set; }
    /// <summary>Permission bits including setuid, setgid and sticky (07777).</summary>
    public int Mode { get; set; }
    public long Uid { get; set; }
    public long Gid { get; set; }
    /// <summary>Bytes of data that follow (regular files only).</summary>
    public long Size { get; set; }
    public long MtimeSeconds { get; set; }
    public int MtimeNanoseconds { get; set; }
    public int DevMajor { get; set; }
    public int DevMinor { get; set; }
    public List<Xattr> Xattrs { get; } = [];

    public string DisplayName => Encoding.UTF8.GetString(Name);
    public string DisplayLinkName => Encoding.UTF8.GetString(LinkName);

    public void SetName(ReadOnlySpan<byte> name)
    {
        Set(ref _name, name);
        NameLength = name.Length;
    }

    public void SetName(string name) => SetName(Encoding.UTF8.GetBytes(name));

    public void SetLinkName(ReadOnlySpan<byte> name)
    {
        Set(ref _linkName, name);
        LinkNameLength = name.Length;
    }

    public void SetLinkName(string name) => SetLinkName(Encoding.UTF8.GetBytes(name));

    public void Reset()
    {
        NameLength = LinkNameLength = 0;
        Type = TarEntryType.Regular;
        Mode = 0;
        Uid = Gid = Size = MtimeSeconds = 0;
        MtimeNanoseconds = DevMajor = DevMinor = 0;
        Xattrs.Clear();
    }

    private static void Set(ref byte[] buffer, ReadOnlySpan<byte> value)
    {
        if (buffer.Length < value.Length) buffer = new byte[Math.Max(value.Length, buffer.Length * 2)];
        value.CopyTo(buffer);
    }
}
