using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Berth.Engine.Oci;

namespace Berth.Engine.Layers;

/// <summary>
/// A deterministic tar writer: the same entries always give the same bytes, and so the same DiffID.
/// <list type="bullet">
/// <item>ustar headers; a PAX extended header only when a field does not fit (names or link targets
/// over ustar limits or not ASCII, uid/gid over 2097151, sizes over 8 GiB, mtimes before 1970) or
/// the entry has xattrs (<c>SCHILY.xattr.NAME</c> with the raw value bytes, as Go's archive/tar).</item>
/// <item>PAX headers are named <c>DIR/PaxHeaders.0/BASE</c> (Go's convention, never a pid), mode 0,
/// owner 0, mtime 0; records sorted by key.</item>
/// <item>uname/gname empty; mtimes in whole seconds (sub-second parts are dropped, as docker does,
/// so a tree copied by a tool that keeps only seconds gives the same digest).</item>
/// <item>two zero blocks at the end, no padding to a 10 KiB record.</item>
/// </list>
/// Output goes through a 1 MiB buffer and is hashed (sha256) as it is written.
/// </summary>
public sealed class LayerTarWriter : IDisposable
{
    private const int BufferSize = 1 << 20;
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _used;
    private long _written;
    private long _dataRemaining;
    private long _dataPadding;
    private bool _finished;

    public LayerTarWriter(Stream output, bool leaveOpen = true)
    {
        _output = output;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes of tar produced so far.</summary>
    public long Position => _written + _used;

    /// <summary>Regular-file data bytes written so far.</summary>
    public long DataBytes { get; private set; }

    public void WriteHeader(TarEntry e)
    {
        if (_dataRemaining != 0)
            throw new InvalidOperationException($"tar writer: {_dataRemaining} bytes of the previous entry were not written");
        if (_finished) throw new InvalidOperationException("tar writer: already finished");
        long size = e.Type == TarEntryType.Regular ? e.Size : 0;

        var pax = CollectPaxRecords(e, size, out bool splitName, out int prefixLen);
        if (pax is not null) WritePaxHeader(e.Name, pax);

        Span<byte> h = Reserve(TarFormat.Block);
        h.Clear();
        var name = e.Name;
        if (splitName)
        {
            name[..prefixLen].CopyTo(h.Slice(TarFormat.PrefixOff, TarFormat.PrefixLen));
            name[(prefixLen + 1)..].CopyTo(h.Slice(TarFormat.NameOff, TarFormat.NameLen));
        }
        else
        {
            name[..Math.Min(name.Length, TarFormat.NameLen)].CopyTo(h.Slice(TarFormat.NameOff, TarFormat.NameLen));
        }
        TarFormat.WriteOctal(h.Slice(TarFormat.ModeOff, TarFormat.IdLen), e.Mode & 0xFFF);
        TarFormat.WriteOctal(h.Slice(TarFormat.UidOff, TarFormat.IdLen), FitsOctal(e.Uid, TarFormat.IdLen) ? e.Uid : 0);
        TarFormat.WriteOctal(h.Slice(TarFormat.GidOff, TarFormat.IdLen), FitsOctal(e.Gid, TarFormat.IdLen) ? e.Gid : 0);
        TarFormat.WriteOctal(h.Slice(TarFormat.SizeOff, TarFormat.NumLen), FitsOctal(size, TarFormat.NumLen) ? size : 0);
        TarFormat.WriteOctal(h.Slice(TarFormat.MtimeOff, TarFormat.NumLen), FitsOctal(e.MtimeSeconds, TarFormat.NumLen) ? e.MtimeSeconds : 0);
        h[TarFormat.TypeOff] = (byte)e.Type;
        var link = e.LinkName;
        link[..Math.Min(link.Length, TarFormat.LinkLen)].CopyTo(h.Slice(TarFormat.LinkOff, TarFormat.LinkLen));
        TarFormat.MagicUstar.CopyTo(h[TarFormat.MagicOff..]);
        h[TarFormat.MagicOff + 6] = (byte)'0';
        h[TarFormat.MagicOff + 7] = (byte)'0';
        if (e.Type is TarEntryType.CharDevice or TarEntryType.BlockDevice)
        {
            TarFormat.WriteOctal(h.Slice(TarFormat.DevMajorOff, TarFormat.IdLen), e.DevMajor);
            TarFormat.WriteOctal(h.Slice(TarFormat.DevMinorOff, TarFormat.IdLen), e.DevMinor);
        }
        TarFormat.WriteChecksum(h);
        Commit(TarFormat.Block);

        _dataRemaining = size;
        _dataPadding = TarFormat.PadTo512(size);
        if (size == 0) _dataPadding = 0;
    }

    /// <summary>Appends data of the current entry.</summary>
    public void WriteData(ReadOnlySpan<byte> data)
    {
        if (data.Length > _dataRemaining)
            throw new InvalidOperationException("tar writer: more data than the header's size");
        while (!data.IsEmpty)
        {
            var space = DataSpace();
            int n = Math.Min(space.Length, data.Length);
            data[..n].CopyTo(space);
            AdvanceData(n);
            data = data[n..];
        }
    }

    /// <summary>
    /// Free space in the output buffer for the current entry's data (never empty while data
    /// remains), so a file can be read straight into it; then call <see cref="AdvanceData"/>.
    /// </summary>
    public Span<byte> DataSpace()
    {
        if (_used == BufferSize) Flush();
        long room = Math.Min(BufferSize - _used, _dataRemaining);
        return _buffer.AsSpan(_used, (int)room);
    }

    public void AdvanceData(int count)
    {
        if (count < 0 || count > _dataRemaining) throw new ArgumentOutOfRangeException(nameof(count));
        _used += count;
        _dataRemaining -= count;
        DataBytes += count;
        if (_dataRemaining == 0 && _dataPadding > 0)
        {
            Reserve((int)_dataPadding).Clear();
            Commit((int)_dataPadding);
            _dataPadding = 0;
        }
    }

    /// <summary>Bytes of the current entry's data still expected.</summary>
    public long DataRemaining => _dataRemaining;

    /// <summary>Writes the end-of-archive blocks and flushes; returns the digest and size of the whole tar.</summary>
    public (Digest DiffId, long Size) Finish()
    {
        if (_dataRemaining != 0)
            throw new InvalidOperationException($"tar writer: {_dataRemaining} bytes of the last entry were not written");
        if (!_finished)
        {
            Reserve(2 * TarFormat.Block).Clear();
            Commit(2 * TarFormat.Block);
            Flush();
            _output.Flush();
            _finished = true;
        }
        return (Digest.FromHash("sha256", _hash.GetCurrentHash()), _written);
    }

    public void Dispose()
    {
        _hash.Dispose();
        if (!_leaveOpen) _output.Dispose();
    }

    // ---- PAX ----

    private static bool FitsOctal(long v, int fieldLen) => v >= 0 && v <= TarFormat.MaxOctal(fieldLen);

    private static SortedDictionary<string, byte[]>? CollectPaxRecords(TarEntry e, long size, out bool splitName, out int prefixLen)
    {
        SortedDictionary<string, byte[]>? pax = null;
        void Add(string key, byte[] value) => (pax ??= new(StringComparer.Ordinal))[key] = value;
        static byte[] Num(long v) => Encoding.ASCII.GetBytes(v.ToString(CultureInfo.InvariantCulture));

        splitName = false;
        prefixLen = 0;
        var name = e.Name;
        if (!TarFormat.IsAscii(name)) Add("path", name.ToArray());
        else if (name.Length > TarFormat.NameLen)
        {
            if (TrySplitUstar(name, out prefixLen)) splitName = true;
            else Add("path", name.ToArray());
        }
        var link = e.LinkName;
        if (link.Length > TarFormat.LinkLen || !TarFormat.IsAscii(link)) Add("linkpath", link.ToArray());
        if (!FitsOctal(e.Uid, TarFormat.IdLen)) Add("uid", Num(e.Uid));
        if (!FitsOctal(e.Gid, TarFormat.IdLen)) Add("gid", Num(e.Gid));
        if (!FitsOctal(size, TarFormat.NumLen)) Add("size", Num(size));
        if (!FitsOctal(e.MtimeSeconds, TarFormat.NumLen)) Add("mtime", Num(e.MtimeSeconds));
        foreach (var x in e.Xattrs) Add("SCHILY.xattr." + x.Name, x.Value);
        return pax;
    }

    /// <summary>Go's rule: split at the last '/' that leaves a prefix of at most 155 bytes and a name of at most 100.</summary>
    private static bool TrySplitUstar(ReadOnlySpan<byte> name, out int slash)
    {
        int length = name.Length;
        if (length > TarFormat.PrefixLen + 1) length = TarFormat.PrefixLen + 1;
        else if (name[length - 1] == '/') length--;
        slash = name[..length].LastIndexOf((byte)'/');
        int nameLen = name.Length - slash - 1;
        return slash > 0 && nameLen > 0 && nameLen <= TarFormat.NameLen && slash <= TarFormat.PrefixLen;
    }

    private void WritePaxHeader(ReadOnlySpan<byte> realName, SortedDictionary<string, byte[]> records)
    {
        var body = new MemoryStream();
        foreach (var (key, value) in records) WritePaxRecord(body, key, value);
        var data = body.GetBuffer().AsSpan(0, (int)body.Length);

        var h = Reserve(TarFormat.Block);
        h.Clear();
        var paxName = PaxHeaderName(realName);
        paxName[..Math.Min(paxName.Length, TarFormat.NameLen)].CopyTo(h[..TarFormat.NameLen]);
        TarFormat.WriteOctal(h.Slice(TarFormat.ModeOff, TarFormat.IdLen), 0);
        TarFormat.WriteOctal(h.Slice(TarFormat.UidOff, TarFormat.IdLen), 0);
        TarFormat.WriteOctal(h.Slice(TarFormat.GidOff, TarFormat.IdLen), 0);
        TarFormat.WriteOctal(h.Slice(TarFormat.SizeOff, TarFormat.NumLen), data.Length);
        TarFormat.WriteOctal(h.Slice(TarFormat.MtimeOff, TarFormat.NumLen), 0);
        h[TarFormat.TypeOff] = TarFormat.TypePax;
        TarFormat.MagicUstar.CopyTo(h[TarFormat.MagicOff..]);
        h[TarFormat.MagicOff + 6] = (byte)'0';
        h[TarFormat.MagicOff + 7] = (byte)'0';
        TarFormat.WriteChecksum(h);
        Commit(TarFormat.Block);

        WriteRaw(data);
        int pad = (int)TarFormat.PadTo512(data.Length);
        Reserve(pad).Clear();
        Commit(pad);
    }

    private static byte[] PaxHeaderName(ReadOnlySpan<byte> realName)
    {
        var trimmed = realName.Length > 1 && realName[^1] == '/' ? realName[..^1] : realName;
        int slash = trimmed.LastIndexOf((byte)'/');
        var dir = slash >= 0 ? trimmed[..(slash + 1)] : default;
        var baseName = trimmed[(slash + 1)..];
        var name = new byte[dir.Length + "PaxHeaders.0/"u8.Length + baseName.Length];
        dir.CopyTo(name);
        "PaxHeaders.0/"u8.CopyTo(name.AsSpan(dir.Length));
        baseName.CopyTo(name.AsSpan(dir.Length + "PaxHeaders.0/"u8.Length));
        return name;
    }

    /// <summary>"LEN KEY=VALUE\n" where LEN counts the whole record including its own digits.</summary>
    private static void WritePaxRecord(MemoryStream body, string key, byte[] value)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key);
        int rest = 1 + keyBytes.Length + 1 + value.Length + 1; // ' ' key '=' value '\n'
        int len = rest + 1;
        while (len.ToString(CultureInfo.InvariantCulture).Length + rest != len) len++;
        body.Write(Encoding.ASCII.GetBytes(len.ToString(CultureInfo.InvariantCulture)));
        body.WriteByte((byte)' ');
        body.Write(keyBytes);
        body.WriteByte((byte)'=');
        body.Write(value);
        body.WriteByte((byte)'\n');
    }

    // ---- buffer ----

    private void WriteRaw(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_used == BufferSize) Flush();
            int n = Math.Min(BufferSize - _used, data.Length);
            data[..n].CopyTo(_buffer.AsSpan(_used));
            _used += n;
            data = data[n..];
        }
    }

    private Span<byte> Reserve(int count)
    {
        if (BufferSize - _used < count) Flush();
        return _buffer.AsSpan(_used, count);
    }

    private void Commit(int count) => _used += count;

    private void Flush()
    {
        if (_used == 0) return;
        var span = _buffer.AsSpan(0, _used);
        _hash.AppendData(span);
        _output.Write(span);
        _written += _used;
        _used = 0;
    }
}
