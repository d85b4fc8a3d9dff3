using System.Buffers;
using System.Text;

namespace Berth.Engine.Runtime.Stage;

/// <summary>
/// The records the C stage reads on fd 3: a key and its values, each NUL-terminated. The keys and how
/// many values each takes are listed in native/nsexec/config.c; this class only writes them.
/// </summary>
public sealed class StageConfig
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    public StageConfig Add(string key, params ReadOnlySpan<string> values)
    {
        Put(key);
        foreach (var v in values) Put(v);
        return this;
    }

    private void Put(string s)
    {
        if (s.Contains('\0')) throw new BerthException($"invalid value (contains a NUL byte): {s.Replace("\0", "\\0")}");
        int n = Encoding.UTF8.GetByteCount(s);
        var span = _buffer.GetSpan(n + 1);
        Encoding.UTF8.GetBytes(s, span);
        span[n] = 0;
        _buffer.Advance(n + 1);
    }

    public ReadOnlySpan<byte> Bytes => _buffer.WrittenSpan;

    /// <summary>The records as text, for --debug and tests: one record a line.</summary>
    public override string ToString() => Encoding.UTF8.GetString(Bytes).TrimEnd('\0').Replace('\0', ' ');
}
