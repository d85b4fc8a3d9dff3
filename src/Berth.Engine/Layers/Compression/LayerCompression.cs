using System.IO.Compression;
using Berth.Engine.Oci;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Berth.Engine.Layers;

/// <summary>Layer blob compression: detection by magic bytes, decompression, and compressors for writing.</summary>
public static class LayerCompression
{
    private const int InputBufferSize = 1 << 17;

    /// <summary>zstd level for layers: the format's default, fast and a good ratio.</summary>
    public const int ZstdLevel = 3;

    /// <summary>gzip 1f8b, zstd 28b52ffd, anything else None.</summary>
    public static Compression Detect(ReadOnlySpan<byte> firstBytes)
    {
        if (firstBytes.Length >= 2 && firstBytes[0] == 0x1f && firstBytes[1] == 0x8b) return Compression.Gzip;
        if (firstBytes.Length >= 4 && firstBytes[..4].SequenceEqual((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd])) return Compression.Zstd;
        return Compression.None;
    }

    /// <summary>
    /// Peeks at <paramref name="input"/> (which need not be seekable), and returns a buffered stream of
    /// its decompressed bytes. The result owns <paramref name="input"/>: disposing it disposes the input.
    /// </summary>
    public static Stream OpenDecompressed(Stream input, out Compression found)
    {
        var head = new byte[4];
        int got = 0;
        while (got < head.Length)
        {
            int n = input.Read(head, got, head.Length - got);
            if (n <= 0) break;
            got += n;
        }
        found = Detect(head.AsSpan(0, got));
        Stream source = new PrefixedStream(head.AsMemory(0, got), input);
        return found switch
        {
            Compression.Gzip => new GZipStream(new BufferedStream(source, InputBufferSize), CompressionMode.Decompress, leaveOpen: false),
            Compression.Zstd => new DecompressionStream(source, InputBufferSize, checkEndOfStream: true, leaveOpen: false),
            _ => source,
        };
    }

    /// <summary>
    /// A write-only stream that compresses into <paramref name="output"/>. gzip uses the fastest
    /// level, as independent 1 MiB members compressed on all cores (the same bytes on any machine);
    /// zstd uses level 3 with zstd's own worker threads. Dispose it to finish the stream.
    /// </summary>
    public static Stream OpenCompressor(Stream output, Compression c, bool leaveOpen = false)
    {
        switch (c)
        {
            case Compression.Gzip:
                return new ParallelGzipStream(output, CompressionLevel.Fastest, leaveOpen);
            case Compression.Zstd:
                var zstd = new CompressionStream(output, ZstdLevel, bufferSize: 0, leaveOpen: leaveOpen);
                // with 1 or more workers zstd's output is the same whatever their number
                zstd.SetParameter(ZSTD_cParameter.ZSTD_c_nbWorkers, Math.Max(1, Environment.ProcessorCount));
                return zstd;
            default:
                return new PrefixedStream(default, output, leaveOpen);
        }
    }
}

/// <summary>A few already-read bytes followed by the rest of a stream; writes go straight through.</summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner, bool leaveOpen = false) : Stream
{
    private ReadOnlyMemory<byte> _prefix = prefix;

    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_prefix.IsEmpty) return inner.Read(buffer);
        int n = Math.Min(buffer.Length, _prefix.Length);
        _prefix.Span[..n].CopyTo(buffer);
        _prefix = _prefix[n..];
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_prefix.IsEmpty) return await inner.ReadAsync(buffer, ct).ConfigureAwait(false);
        return Read(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => inner.WriteAsync(buffer, ct);
    public override void Flush() => inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen) inner.Dispose();
        base.Dispose(disposing);
    }
}
