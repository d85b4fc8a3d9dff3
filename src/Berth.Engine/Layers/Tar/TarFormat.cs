namespace Berth.Engine.Layers;

/// <summary>The ustar header layout and the numeric field encodings (octal, GNU base-256).</summary>
internal static class TarFormat
{
    public const int Block = 512;

    public const int NameOff = 0, NameLen = 100;
    public const int ModeOff = 100, UidOff = 108, GidOff = 116, IdLen = 8;
    public const int SizeOff = 124, MtimeOff = 136, NumLen = 12;
    public const int ChksumOff = 148, ChksumLen = 8;
    public const int TypeOff = 156;
    public const int LinkOff = 157, LinkLen = 100;
    public const int MagicOff = 257;
    public const int DevMajorOff = 329, DevMinorOff = 337;
    public const int PrefixOff = 345, PrefixLen = 155;

    public const byte TypePax = (byte)'x', TypePaxGlobal = (byte)'g', TypeGnuLongName = (byte)'L', TypeGnuLongLink = (byte)'K';

    public static ReadOnlySpan<byte> MagicUstar => "ustar\0"u8;   // + version "00" (POSIX ustar / pax)
    public static ReadOnlySpan<byte> MagicGnu => "ustar  \0"u8;   // old GNU: the prefix field holds times

    /// <summary>The largest value a zero-padded octal field of <paramref name="fieldLen"/> bytes holds (one byte is the NUL).</summary>
    public static long MaxOctal(int fieldLen) => (1L << (3 * (fieldLen - 1))) - 1;

    public static void WriteOctal(Span<byte> field, long value)
    {
        // digits, zero-padded, then NUL: as Go's archive/tar and GNU tar write them
        int digits = field.Length - 1;
        for (int i = digits - 1; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value & 7));
            value >>= 3;
        }
        field[digits] = 0;
    }

    public static int Checksum(ReadOnlySpan<byte> header, out int signedSum)
    {
        int sum = 0;
        signedSum = 0;
        for (int i = 0; i < Block; i++)
        {
            byte b = i is >= ChksumOff and < ChksumOff + ChksumLen ? (byte)' ' : header[i];
            sum += b;
            signedSum += (sbyte)b;
        }
        return sum;
    }

    public static void WriteChecksum(Span<byte> header)
    {
        int sum = Checksum(header, out _);
        var f = header.Slice(ChksumOff, ChksumLen);
        for (int i = 5; i >= 0; i--)
        {
            f[i] = (byte)('0' + (sum & 7));
            sum >>= 3;
        }
        f[6] = 0;
        f[7] = (byte)' ';
    }

    /// <summary>
    /// Parses an octal or base-256 numeric field. Returns false when the field is malformed or
    /// does not fit in 63 bits (negative base-256 values are returned as negative).
    /// </summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            // GNU base-256: two's complement big-endian; 0x80 marks positive, 0xff negative
            bool negative = field[0] == 0xff;
            if (!negative && field[0] != 0x80) return false;
            long v = 0;
            for (int i = 1; i < field.Length; i++)
            {
                byte b = negative ? (byte)~field[i] : field[i];
                if ((v >> 55) != 0) return false;
                v = (v << 8) | b;
            }
            value = negative ? -v - 1 : v;
            return true;
        }
        int p = 0;
        while (p < field.Length && field[p] is (byte)' ' or 0) p++;
        if (p == field.Length) return true; // all blanks or NULs: zero
        long result = 0;
        for (; p < field.Length; p++)
        {
            byte c = field[p];
            if (c is (byte)' ' or 0) break;
            if (c is < (byte)'0' or > (byte)'7') return false;
            if ((result >> 60) != 0) return false;
            result = (result << 3) | (uint)(c - '0');
        }
        for (; p < field.Length; p++)
            if (field[p] is not ((byte)' ' or 0)) return false;
        value = result;
        return true;
    }

    /// <summary>The bytes of a NUL-terminated (or full-width) string field.</summary>
    public static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> field)
    {
        int n = field.IndexOf((byte)0);
        return n < 0 ? field : field[..n];
    }

    public static bool IsAscii(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
            if (b is 0 or >= 0x80) return false;
        return true;
    }

    public static long PadTo512(long n) => (Block - (n & (Block - 1))) & (Block - 1);
}
