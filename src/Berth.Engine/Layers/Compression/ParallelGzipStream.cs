using System.Buffers;
using System.IO.Compression;

namespace Berth.Engine.Layers;

/// <summary>
/// A write-only gzip compressor that cuts its input into 1 MiB chunks and compresses each as its own
/// gzip member on the thread pool, writing the members in order. A multi-member gzip is one valid
/// gzip stream (RFC 1952) that every reader decodes. The chunking does not depend on the number of
/// cores, so the output (and its digest) is the same on every machine.
/// </summary>
internal sealed class ParallelGzipStream : Stream
{
    private const int ChunkSize = 1 << 20;
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly CompressionLevel _level;
    private readonly int _maxPending;
    private readonly Queue<Task<Member>> _pending = new();
    private byte[] _chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
    private int _used;
    private bool _anyMember;
    private bool _disposed;

    private readonly record struct Member(byte[] Buffer, int Length);

    public ParallelGzipStream(Stream output, CompressionLevel level, bool leaveOpen)
    {
        _output = output;
        _level = level;
        _leaveOpen = leaveOpen;
        _maxPending = Environment.ProcessorCount > 1 ? Environment.ProcessorCount * 2 : 0;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_disposed;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!data.IsEmpty)
        {
            int n = Math.Min(ChunkSize - _used, data.Length);
            data[..n].CopyTo(_chunk.AsSpan(_used));
            _used += n;
            data = data[n..];
            if (_used == ChunkSize) Submit();
        }
    }

    /// <summary>Writes out the members that are done; a partial chunk stays buffered (so the output does not depend on flushes).</summary>
    public override void Flush()
    {
        while (_pending.Count > 0 && _pending.Peek().IsCompleted) WriteOut(_pending.Dequeue());
        _output.Flush();
    }

    private void Submit()
    {
        var data = _chunk;
        int length = _used;
        _chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        _used = 0;
        _anyMember = true;
        if (_maxPending == 0)
        {
            WriteOut(Task.FromResult(Compress(data, length, _level)));
            return;
        }
        var level = _level;
        _pending.Enqueue(Task.Run(() => Compress(data, length, level)));
        while (_pending.Count >= _maxPending) WriteOut(_pending.Dequeue());
    }

    /// <summary>A gzip member of no data (GZipStream writes nothing at all when given nothing).</summary>
    private static ReadOnlySpan<byte> EmptyMember => [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static Member Compress(byte[] data, int length, CompressionLevel level)
    {
        if (length == 0)
        {
            ArrayPool<byte>.Shared.Return(data);
            return new Member(EmptyMember.ToArray(), EmptyMember.Length);
        }
        try
        {
            var ms = new MemoryStream(length / 2 + 64);
            using (var gz = new GZipStream(ms, level, leaveOpen: true)) gz.Write(data, 0, length);
            return new Member(ms.GetBuffer(), (int)ms.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }

    private void WriteOut(Task<Member> task)
    {
        var member = task.GetAwaiter().GetResult();
        _output.Write(member.Buffer, 0, member.Length);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            try
            {
                if (_used > 0 || !_anyMember) Submit(); // an empty input still becomes one valid (empty) member
                while (_pending.Count > 0) WriteOut(_pending.Dequeue());
                _output.Flush();
            }
            finally
            {
                _disposed = true;
                ArrayPool<byte>.Shared.Return(_chunk);
                if (!_leaveOpen) _output.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
