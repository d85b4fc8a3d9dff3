using System.Globalization;
using System.Text;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Containers;

/// <summary>
/// docker's json-file log driver: one <c>{"log":"...","stream":"stdout","time":"RFC3339Nano"}</c> line per
/// line of output (a partial line is held until its newline or 16 KiB). One write(2) per entry, no
/// buffering, so <c>logs -f</c> sees output as soon as it happens. Built for a long-lived monitor: the
/// buffers are reused, nothing is allocated per line.
/// </summary>
public sealed class JsonLogWriter : IDisposable
{
    private const int MaxLine = 16 * 1024;
    private int _fd;
    private readonly byte[] _entry = new byte[MaxLine * 6 + 256];
    private readonly Pending _stdout = new(), _stderr = new();

    private sealed class Pending
    {
        public readonly byte[] Data = new byte[MaxLine];
        public int Length;
    }

    public JsonLogWriter(string path)
    {
        _fd = Fds.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND);
    }

    /// <summary>Adds output of one stream (1 stdout, 2 stderr).</summary>
    public void Write(int stream, ReadOnlySpan<byte> data)
    {
        var p = stream == 2 ? _stderr : _stdout;
        while (data.Length > 0)
        {
            int nl = data.IndexOf((byte)'\n');
            int take = nl >= 0 ? nl + 1 : data.Length;
            take = Math.Min(take, MaxLine - p.Length);
            data[..take].CopyTo(p.Data.AsSpan(p.Length));
            p.Length += take;
            data = data[take..];
            if (p.Data[p.Length - 1] == (byte)'\n' || p.Length == MaxLine) Flush(stream, p);
        }
    }

    /// <summary>Writes what remains of unfinished lines (at the end of the container's output).</summary>
    public void FlushPartial()
    {
        if (_stdout.Length > 0) Flush(1, _stdout);
        if (_stderr.Length > 0) Flush(2, _stderr);
    }

    private void Flush(int stream, Pending p)
    {
        int n = Encode(p.Data.AsSpan(0, p.Length), stream == 2 ? "stderr" : "stdout", DateTime.UtcNow, _entry);
        p.Length = 0;
        Fds.WriteAll(_fd, _entry.AsSpan(0, n));
    }

    internal static int Encode(ReadOnlySpan<byte> line, string stream, DateTime time, Span<byte> dest)
    {
        int o = 0;
        o += Ascii("{\"log\":\"", dest[o..]);
        o += JsonEscape(line, dest[o..]);
        o += Ascii("\",\"stream\":\"", dest[o..]);
        o += Ascii(stream, dest[o..]);
        o += Ascii("\",\"time\":\"", dest[o..]);
        time.TryFormat(dest[o..], out int w, "yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture);
        o += w;
        // RFC3339Nano: nine digits of fraction.
        o += Ascii("00Z\"}\n", dest[o..]);
        return o;
    }

    private static int Ascii(string s, Span<byte> dest) => Encoding.ASCII.GetBytes(s, dest);

    /// <summary>Go's JSON string escaping (HTML characters too); invalid UTF-8 becomes U+FFFD.</summary>
    private static int JsonEscape(ReadOnlySpan<byte> s, Span<byte> d)
    {
        const string hex = "0123456789abcdef";
        int o = 0;
        int i = 0;
        while (i < s.Length)
        {
            byte b = s[i];
            if (b < 0x80)
            {
                switch (b)
                {
                    case (byte)'"': d[o++] = (byte)'\\'; d[o++] = (byte)'"'; break;
                    case (byte)'\\': d[o++] = (byte)'\\'; d[o++] = (byte)'\\'; break;
                    case (byte)'\n': d[o++] = (byte)'\\'; d[o++] = (byte)'n'; break;
                    case (byte)'\r': d[o++] = (byte)'\\'; d[o++] = (byte)'r'; break;
                    case (byte)'\t': d[o++] = (byte)'\\'; d[o++] = (byte)'t'; break;
                    default:
                        if (b < 0x20 || b is (byte)'<' or (byte)'>' or (byte)'&')
                        {
                            d[o++] = (byte)'\\'; d[o++] = (byte)'u'; d[o++] = (byte)'0'; d[o++] = (byte)'0';
                            d[o++] = (byte)hex[b >> 4]; d[o++] = (byte)hex[b & 15];
                        }
                        else d[o++] = b;
                        break;
                }
                i++;
                continue;
            }
            var status = System.Text.Rune.DecodeFromUtf8(s[i..], out _, out int consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                s.Slice(i, consumed).CopyTo(d[o..]);
                o += consumed;
            }
            else
            {
                d[o++] = 0xEF; d[o++] = 0xBF; d[o++] = 0xBD;
                consumed = Math.Max(1, consumed);
            }
            i += consumed;
        }
        return o;
    }

    public void Dispose()
    {
        FlushPartial();
        Fds.Close(ref _fd);
    }
}
