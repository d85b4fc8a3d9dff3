using System.Buffers.Binary;
using System.Text;

namespace Berth.Engine.Networking.Dns;

/// <summary>The first question of a DNS query (RFC 1035 4.1), and where it ends in the message.</summary>
public sealed record DnsQuestion(ushort Id, ushort Flags, string Name, ushort Type, ushort Class, int End)
{
    public const ushort A = 1, PTR = 12, AAAA = 28, ANY = 255;

    public bool RecursionDesired => (Flags & 0x0100) != 0;
    public int Opcode => (Flags >> 11) & 0xF;
}

/// <summary>Reads queries and writes the answers the embedded server gives itself (A, PTR, NXDOMAIN...).</summary>
public static class DnsMessage
{
    public const int NoError = 0, FormErr = 1, ServFail = 2, NxDomain = 3, NotImp = 4, Refused = 5;
    public const uint Ttl = 600;

    /// <summary>The question of a query; null when the message is not a well-formed query with one question.</summary>
    public static DnsQuestion? ParseQuery(ReadOnlySpan<byte> m)
    {
        if (m.Length < 12) return null;
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(m);
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(m[2..]);
        if ((flags & 0x8000) != 0 || BinaryPrimitives.ReadUInt16BigEndian(m[4..]) != 1) return null;
        int off = 12;
        var name = ReadName(m, ref off);
        if (name is null || off + 4 > m.Length) return null;
        return new DnsQuestion(id, flags, name, BinaryPrimitives.ReadUInt16BigEndian(m[off..]), BinaryPrimitives.ReadUInt16BigEndian(m[(off + 2)..]), off + 4);
    }

    /// <summary>A response to <paramref name="query"/> with the question echoed and A (4-byte) or PTR answers.</summary>
    public static byte[] Answer(ReadOnlySpan<byte> query, DnsQuestion q, int rcode, IReadOnlyList<uint> addresses, string? ptrName = null)
    {
        var answers = new List<byte[]>();
        foreach (var a in addresses)
            answers.Add(Record(DnsQuestion.A, [(byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a]));
        if (ptrName is not null) answers.Add(Record(DnsQuestion.PTR, EncodeName(ptrName)));
        int questionLength = q.End - 12;
        var r = new byte[12 + questionLength + answers.Sum(a => a.Length)];
        BinaryPrimitives.WriteUInt16BigEndian(r, q.Id);
        // QR, the query's opcode and RD, AA (authoritative for the network's names), RA, rcode.
        ushort flags = (ushort)(0x8000 | (q.Flags & 0x7900) | 0x0400 | 0x0080 | (rcode & 0xF));
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(6), (ushort)answers.Count);
        query[12..q.End].CopyTo(r.AsSpan(12));
        int off = 12 + questionLength;
        foreach (var a in answers) { a.CopyTo(r, off); off += a.Length; }
        return r;
    }

    /// <summary>An error answer with only the header (for messages whose question cannot be read).</summary>
    public static byte[] Error(ReadOnlySpan<byte> query, int rcode)
    {
        var r = new byte[12];
        if (query.Length >= 2) query[..2].CopyTo(r);
        ushort flags = query.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(query[2..]) : (ushort)0;
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(2), (ushort)(0x8000 | (flags & 0x7900) | 0x0080 | (rcode & 0xF)));
        return r;
    }

    private static byte[] Record(ushort type, byte[] data)
    {
        var r = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(r, 0xC00C); // the name: a pointer to the question's
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(2), type);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32BigEndian(r.AsSpan(6), Ttl);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(10), (ushort)data.Length);
        data.CopyTo(r, 12);
        return r;
    }

    public static byte[] EncodeName(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var l = Encoding.ASCII.GetBytes(label);
            bytes.Add((byte)Math.Min(l.Length, 63));
            bytes.AddRange(l.Take(63));
        }
        bytes.Add(0);
        return bytes.ToArray();
    }

    /// <summary>A (possibly compressed) name, lower-cased, without the trailing dot; null when malformed.</summary>
    private static string? ReadName(ReadOnlySpan<byte> m, ref int off)
    {
        var sb = new StringBuilder();
        int pos = off, jumps = 0;
        bool jumped = false;
        for (;;)
        {
            if (pos >= m.Length) return null;
            int len = m[pos];
            if (len == 0)
            {
                if (!jumped) off = pos + 1;
                return sb.ToString().ToLowerInvariant();
            }
            if ((len & 0xC0) == 0xC0)
            {
                if (pos + 1 >= m.Length || ++jumps > 16) return null;
                if (!jumped) off = pos + 2;
                jumped = true;
                pos = (len & 0x3F) << 8 | m[pos + 1];
                continue;
            }
            if ((len & 0xC0) != 0 || pos + 1 + len > m.Length) return null;
            if (sb.Length > 0) sb.Append('.');
            foreach (var b in m.Slice(pos + 1, len)) sb.Append(b is >= 0x21 and < 0x7F ? (char)b : '?');
            pos += 1 + len;
            if (sb.Length > 255) return null;
        }
    }
}
