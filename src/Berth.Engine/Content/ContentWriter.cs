using System.Security.Cryptography;
using Berth.Engine.Oci;

namespace Berth.Engine.Content;

/// <summary>
/// A write in progress: bytes go to a private temp file while they are hashed; <see cref="Commit"/>
/// checks digest and size and renames the file into place. Disposing without committing removes
/// the temp file, so an interrupted write leaves nothing visible.
/// </summary>
public sealed class ContentWriter : Stream
{
    private readonly FileStream _file;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Func<Digest, string> _pathOf;
    private readonly string _tempPath;
    private long _written;
    private bool _done;

    internal ContentWriter(string tempPath, Func<Digest, string> pathOf)
    {
        _tempPath = tempPath;
        _pathOf = pathOf;
        _file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    public long Written => _written;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _file.Write(buffer);
        _sha256.AppendData(buffer);
        _written += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        await _file.WriteAsync(buffer, ct).ConfigureAwait(false);
        _sha256.AppendData(buffer.Span);
        _written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    /// <summary>
    /// Verifies and publishes the content. With an expected sha512 digest the file is re-hashed with
    /// that algorithm. Returns the digest the content is stored under.
    /// </summary>
    public Digest Commit(Digest? expected = null, long? expectedSize = null)
    {
        if (_done) throw new InvalidOperationException("writer already finished");
        _done = true;
        try
        {
            _file.Flush(flushToDisk: false);
            _file.Dispose();
            if (expectedSize is { } size && size != _written)
                throw new DigestMismatchException($"size mismatch: expected {size} bytes, got {_written}" + (expected is { } e0 ? $" for {e0}" : ""));
            var actual = Digest.FromHash("sha256", _sha256.GetHashAndReset());
            if (expected is { } e && e.Algorithm != "sha256")
            {
                using var h = e.CreateHasher();
                using var f = File.OpenRead(_tempPath);
                var buf = new byte[1 << 16];
                int n;
                while ((n = f.Read(buf)) > 0) h.AppendData(buf, 0, n);
                actual = Digest.FromHash(e.Algorithm, h.GetHashAndReset());
            }
            if (expected is { } want && want != actual)
                throw new DigestMismatchException($"digest mismatch: expected {want}, content is {actual}");
            var final = _pathOf(actual);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            File.Move(_tempPath, final, overwrite: true);
            return actual;
        }
        finally
        {
            TryDelete(_tempPath);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
            _sha256.Dispose();
            if (!_done) TryDelete(_tempPath);
            _done = true;
        }
        base.Dispose(disposing);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _written;
    public override long Position { get => _written; set => throw new NotSupportedException(); }
    public override void Flush() => _file.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
