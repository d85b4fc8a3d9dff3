using System.Security.Cryptography;
using System.Text;
using Berth.Engine.Oci;

namespace Berth.Engine.Layers;

/// <summary>
/// A streaming tar reader for untrusted layers: ustar, PAX (path, linkpath, size, uid, gid, mtime,
/// SCHILY.xattr.* with binary values kept byte-exact), GNU long names (L/K) and base-256 numbers.
/// Every byte read is hashed, including what follows the end-of-archive blocks, so the DiffID comes
/// out of the same pass. Malformed input throws a <see cref="BerthException"/> whose message is one
/// line: <c>layer tar: entry 'x': what is wrong</c>.
/// </summary>
public sealed class LayerTarReader : IDisposable
{
    private const int BufferSize = 1 << 20;
    private readonly Stream _input;
    private readonly long _maxHeaderBytes;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _pos, _end;
    private long _consumedBefore; // bytes of the stream before _buffer[0]
    private bool _inputEnded;
    private long _dataRemaining, _padRemaining;
    private bool _done;
    private Digest _digest;

    public LayerTarReader(Stream input, long maxHeaderBytes = 1 << 20)
    {
        _input = input;
        _maxHeaderBytes = maxHeaderBytes;
    }

    /// <summary>The entry <see cref="MoveNext"/> found; reused for every entry.</summary>
    public TarEntry Current { get; } = new();

    /// <summary>Entries read so far (PAX and GNU long-name records are not counted).</summary>
    public int EntryCount { get; private set; }

    /// <summary>After the end: sha256 of every byte of the stream.</summary>
    public Digest Digest => _done ? _digest : throw new InvalidOperationException("tar not read to the end");

    /// <summary>After the end: the length of the stream.</summary>
    public long TotalBytes => _done ? _consumedBefore + _end : throw new InvalidOperationException("tar not read to the end");

    /// <summary>Bytes of the current entry's data not yet read.</summary>
    public long DataRemaining => _dataRemaining;

    /// <summary>Advances to the next entry; false at the end of the archive (the rest of the stream is then hashed).</summary>
    public bool MoveNext()
    {
        if (_done) return false;
        SkipData();
        var e = Current;
        e.Reset();
        byte[]? longName = null, longLink = null;
        Dictionary<string, byte[]>? pax = null;
        List<Xattr>? paxXattrs = null;
        while (true)
        {
            if (!EnsureHeader())
            {
                if (longName is not null || longLink is not null || pax is not null)
                    throw Error(Encoding.UTF8.GetString(longName ?? pax?.GetValueOrDefault("path") ?? []), "archive ends after an extended header (truncated?)");
                Finish();
                return false;
            }
            var h = _buffer.AsSpan(_pos, TarFormat.Block);
            if (IsZero(h))
            {
                _pos += TarFormat.Block;
                if (EnsureHeader() && !IsZero(_buffer.AsSpan(_pos, TarFormat.Block)))
                    throw Error(null, "a zero block inside the archive (corrupt?)");
                if (_end - _pos >= TarFormat.Block) _pos += TarFormat.Block;
                Finish();
                return false;
            }
            VerifyChecksum(h);
            byte type = h[TarFormat.TypeOff];
            if (!TarFormat.TryParseNumber(h.Slice(TarFormat.SizeOff, TarFormat.NumLen), out long size) || size < 0)
                throw Error(NameOf(h), "invalid size field");

            if (type is TarFormat.TypePax or TarFormat.TypePaxGlobal or TarFormat.TypeGnuLongName or TarFormat.TypeGnuLongLink)
            {
                var name = NameOf(h);
                if (size > _maxHeaderBytes)
                    throw Error(name, $"extended header of {size} bytes is larger than the limit of {_maxHeaderBytes} bytes");
                _pos += TarFormat.Block;
                var data = ReadSmall((int)size, name);
                switch (type)
                {
                    case TarFormat.TypePax:
                        ParsePax(data, pax ??= new(StringComparer.Ordinal), ref paxXattrs, name);
                        break;
                    case TarFormat.TypeGnuLongName:
                        longName = TarFormat.CString(data).ToArray();
                        break;
                    case TarFormat.TypeGnuLongLink:
                        longLink = TarFormat.CString(data).ToArray();
                        break;
                    // global headers ('g') are ignored, as docker does
                }
                continue;
            }

            ParseHeader(h, size, e);
            if (longName is not null) e.SetName(longName);
            if (longLink is not null) e.SetLinkName(longLink);
            if (pax is not null) ApplyPax(pax, e);
            if (paxXattrs is not null) e.Xattrs.AddRange(paxXattrs);
            if (e.NameLength == 0) throw Error(null, "entry with an empty name");
            if (e.Name.IndexOf((byte)0) >= 0 || e.LinkName.IndexOf((byte)0) >= 0)
                throw Error(e.DisplayName, "name contains a NUL byte");
            if (e.Size < 0) throw Error(e.DisplayName, "negative size");
            _pos += TarFormat.Block;
            _dataRemaining = e.Type == TarEntryType.Regular ? e.Size : 0;
            if (e.Type != TarEntryType.Regular) e.Size = 0;
            _padRemaining = TarFormat.PadTo512(_dataRemaining);
            EntryCount++;
            return true;
        }
    }

    /// <summary>
    /// The next chunk of the current entry's data, straight from the read buffer (valid until the
    /// next call); empty when the entry's data is exhausted.
    /// </summary>
    public ReadOnlySpan<byte> ReadDataChunk()
    {
        if (_dataRemaining == 0) return default;
        if (_pos == _end && !Fill()) throw Error(Current.DisplayName, "archive ends inside the file's data (truncated?)");
        int n = (int)Math.Min(_end - _pos, _dataRemaining);
        var chunk = _buffer.AsSpan(_pos, n);
        _pos += n;
        _dataRemaining -= n;
        return chunk;
    }

    /// <summary>Copies up to <paramref name="destination"/>.Length bytes of the current entry's data.</summary>
    public int ReadData(Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length && _dataRemaining > 0)
        {
            if (_pos == _end && !Fill()) throw Error(Current.DisplayName, "archive ends inside the file's data (truncated?)");
            int n = (int)Math.Min(Math.Min(_end - _pos, _dataRemaining), destination.Length - total);
            _buffer.AsSpan(_pos, n).CopyTo(destination[total..]);
            _pos += n;
            _dataRemaining -= n;
            total += n;
        }
        return total;
    }

    /// <summary>Reads to the end of the archive and the stream (for callers that only want the digest).</summary>
    public void ReadToEnd()
    {
        while (MoveNext()) { }
    }

    public void Dispose() => _hash.Dispose();

    /// <summary>The one-line error for a malformed entry.</summary>
    public static BerthException Error(string? entry, string what) =>
        new(entry is null ? $"layer tar: {what}" : $"layer tar: entry '{Printable(entry)}': {what}");

    private static string Printable(string s)
    {
        if (s.Length > 200) s = s[..200] + "...";
        var sb = new StringBuilder(s.Length);
        foreach (var c in s) sb.Append(char.IsControl(c) ? '?' : c);
        return sb.ToString();
    }

    // ---- parsing ----

    private void VerifyChecksum(ReadOnlySpan<byte> h)
    {
        if (!TarFormat.TryParseNumber(h.Slice(TarFormat.ChksumOff, TarFormat.ChksumLen), out long stored))
            throw Error(NameOf(h), "invalid header checksum field (not a tar archive?)");
        int unsigned = TarFormat.Checksum(h, out int signedSum);
        if (stored != unsigned && stored != signedSum)
            throw Error(NameOf(h), "header checksum mismatch (corrupt or not a tar archive)");
    }

    private static string NameOf(ReadOnlySpan<byte> h) =>
        Encoding.UTF8.GetString(TarFormat.CString(h.Slice(TarFormat.NameOff, TarFormat.NameLen)));

    private void ParseHeader(ReadOnlySpan<byte> h, long size, TarEntry e)
    {
        var name = TarFormat.CString(h.Slice(TarFormat.NameOff, TarFormat.NameLen));
        var magic = h.Slice(TarFormat.MagicOff, 8);
        bool ustar = magic[..6].SequenceEqual(TarFormat.MagicUstar);
        bool gnu = magic.SequenceEqual(TarFormat.MagicGnu);
        var prefix = ustar && !gnu ? TarFormat.CString(h.Slice(TarFormat.PrefixOff, TarFormat.PrefixLen)) : default;
        if (!prefix.IsEmpty)
        {
            Span<byte> full = stackalloc byte[prefix.Length + 1 + name.Length];
            prefix.CopyTo(full);
            full[prefix.Length] = (byte)'/';
            name.CopyTo(full[(prefix.Length + 1)..]);
            e.SetName(full);
        }
        else e.SetName(name);
        e.SetLinkName(TarFormat.CString(h.Slice(TarFormat.LinkOff, TarFormat.LinkLen)));

        byte type = h[TarFormat.TypeOff];
        e.Type = type switch
        {
            (byte)'0' or (byte)'7' => TarEntryType.Regular,
            0 => e.Name.Length > 0 && e.Name[^1] == '/' ? TarEntryType.Directory : TarEntryType.Regular,
            (byte)'1' => TarEntryType.HardLink,
            (byte)'2' => TarEntryType.Symlink,
            (byte)'3' => TarEntryType.CharDevice,
            (byte)'4' => TarEntryType.BlockDevice,
            (byte)'5' => TarEntryType.Directory,
            (byte)'6' => TarEntryType.Fifo,
            (byte)'S' => throw Error(e.DisplayName, "GNU sparse files are not supported"),
            _ => throw Error(e.DisplayName, $"unsupported entry type '{(char)type}'"),
        };
        e.Size = size;
        e.Mode = (int)(Number(h, TarFormat.ModeOff, TarFormat.IdLen, e, "mode") & 0xFFF);
        e.Uid = Id(Number(h, TarFormat.UidOff, TarFormat.IdLen, e, "uid"), e, "uid");
        e.Gid = Id(Number(h, TarFormat.GidOff, TarFormat.IdLen, e, "gid"), e, "gid");
        e.MtimeSeconds = Number(h, TarFormat.MtimeOff, TarFormat.NumLen, e, "mtime");
        if (e.Type is TarEntryType.CharDevice or TarEntryType.BlockDevice)
        {
            e.DevMajor = (int)Id(Number(h, TarFormat.DevMajorOff, TarFormat.IdLen, e, "devmajor"), e, "devmajor");
            e.DevMinor = (int)Id(Number(h, TarFormat.DevMinorOff, TarFormat.IdLen, e, "devminor"), e, "devminor");
        }
    }

    private static long Number(ReadOnlySpan<byte> h, int offset, int length, TarEntry e, string field) =>
        TarFormat.TryParseNumber(h.Slice(offset, length), out long v) ? v : throw Error(e.DisplayName, $"invalid {field} field");

    private static long Id(long v, TarEntry e, string field) =>
        v is >= 0 and <= uint.MaxValue ? v : throw Error(e.DisplayName, $"{field} {v} out of range");

    private static void ParsePax(ReadOnlySpan<byte> data, Dictionary<string, byte[]> records, ref List<Xattr>? xattrs, string headerName)
    {
        while (!data.IsEmpty)
        {
            int sp = data.IndexOf((byte)' ');
            if (sp <= 0 || sp > 20 || !long.TryParse(data[..sp], System.Globalization.NumberStyles.None, null, out long len)
                || len <= sp + 1 || len > data.Length || data[(int)len - 1] != '\n')
                throw Error(headerName, "malformed PAX record");
            var record = data[(sp + 1)..((int)len - 1)];
            data = data[(int)len..];
            int eq = record.IndexOf((byte)'=');
            if (eq <= 0) throw Error(headerName, "malformed PAX record (no '=')");
            var key = Encoding.UTF8.GetString(record[..eq]);
            var value = record[(eq + 1)..];
            if (key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal))
            {
                var attr = key["SCHILY.xattr.".Length..];
                if (attr.Length == 0) throw Error(headerName, "PAX xattr record without a name");
                (xattrs ??= []).RemoveAll(x => x.Name == attr);
                xattrs.Add(new Xattr(attr, value.ToArray()));
            }
            else if (key.StartsWith("GNU.sparse.", StringComparison.Ordinal))
                throw Error(headerName, "GNU sparse files are not supported");
            else records[key] = value.ToArray();
        }
    }

    private static void ApplyPax(Dictionary<string, byte[]> pax, TarEntry e)
    {
        foreach (var (key, value) in pax)
        {
            switch (key)
            {
                case "path":
                    e.SetName(value);
                    break;
                case "linkpath":
                    e.SetLinkName(value);
                    break;
                case "size":
                    e.Size = PaxInteger(value, e, key);
                    break;
                case "uid":
                    e.Uid = Id(PaxInteger(value, e, key), e, key);
                    break;
                case "gid":
                    e.Gid = Id(PaxInteger(value, e, key), e, key);
                    break;
                case "mtime":
                    (e.MtimeSeconds, e.MtimeNanoseconds) = PaxTime(value, e);
                    break;
            }
        }
    }

    private static long PaxInteger(byte[] value, TarEntry e, string key) =>
        long.TryParse(value, System.Globalization.NumberStyles.None, null, out long v)
            ? v : throw Error(e.DisplayName, $"invalid PAX {key} \"{Encoding.UTF8.GetString(value)}\"");

    /// <summary>"SECONDS[.FRACTION]", possibly negative.</summary>
    private static (long, int) PaxTime(byte[] value, TarEntry e)
    {
        var s = value.AsSpan();
        bool negative = s.Length > 0 && s[0] == '-';
        if (negative) s = s[1..];
        int dot = s.IndexOf((byte)'.');
        var whole = dot < 0 ? s : s[..dot];
        var frac = dot < 0 ? default : s[(dot + 1)..];
        if (!long.TryParse(whole, System.Globalization.NumberStyles.None, null, out long sec))
            throw Error(e.DisplayName, $"invalid PAX mtime \"{Encoding.UTF8.GetString(value)}\"");
        long nsec = 0;
        for (int i = 0; i < 9; i++)
        {
            nsec *= 10;
            if (i < frac.Length)
            {
                if (frac[i] is < (byte)'0' or > (byte)'9') throw Error(e.DisplayName, "invalid PAX mtime");
                nsec += frac[i] - '0';
            }
        }
        if (!negative) return (sec, (int)nsec);
        return nsec == 0 ? (-sec, 0) : (-sec - 1, (int)(1_000_000_000 - nsec));
    }

    // ---- buffer ----

    /// <summary>True when a whole header block is buffered; false at a clean end of input; throws on a partial block.</summary>
    private bool EnsureHeader()
    {
        while (_end - _pos < TarFormat.Block)
        {
            if (!Fill())
            {
                if (_end == _pos) return false;
                throw Error(null, "archive ends inside a header block (truncated?)");
            }
        }
        return true;
    }

    /// <summary>Reads more input, keeping unconsumed bytes; false when the input is exhausted.</summary>
    private bool Fill()
    {
        if (_inputEnded) return false;
        if (_pos > 0 && (_pos == _end || _end == BufferSize))
        {
            int keep = _end - _pos;
            _buffer.AsSpan(_pos, keep).CopyTo(_buffer);
            _consumedBefore += _pos;
            _pos = 0;
            _end = keep;
        }
        int n = _input.Read(_buffer, _end, BufferSize - _end);
        if (n <= 0)
        {
            _inputEnded = true;
            return false;
        }
        _hash.AppendData(_buffer, _end, n);
        _end += n;
        return true;
    }

    private byte[] ReadSmall(int size, string name)
    {
        var data = new byte[size];
        int got = 0;
        while (got < size)
        {
            if (_pos == _end && !Fill()) throw Error(name, "archive ends inside an extended header (truncated?)");
            int n = Math.Min(_end - _pos, size - got);
            _buffer.AsSpan(_pos, n).CopyTo(data.AsSpan(got));
            _pos += n;
            got += n;
        }
        Skip(TarFormat.PadTo512(size), name);
        return data;
    }

    private void SkipData()
    {
        if (_dataRemaining > 0 || _padRemaining > 0)
        {
            Skip(_dataRemaining + _padRemaining, Current.DisplayName);
            _dataRemaining = _padRemaining = 0;
        }
    }

    private void Skip(long count, string? name)
    {
        while (count > 0)
        {
            if (_pos == _end && !Fill()) throw Error(name, "archive ends inside the entry's data (truncated?)");
            int n = (int)Math.Min(_end - _pos, count);
            _pos += n;
            count -= n;
        }
    }

    private void Finish()
    {
        // hash whatever follows the end-of-archive blocks: it is part of the layer's bytes
        _pos = _end;
        while (Fill()) _pos = _end;
        _digest = Digest.FromHash("sha256", _hash.GetHashAndReset());
        _done = true;
    }

    private static bool IsZero(ReadOnlySpan<byte> block) => block.IndexOfAnyExcept((byte)0) < 0;
}
