using System.Buffers;
using Berth.Engine.Oci;

namespace Berth.Registry.Storage;

/// <summary>One blob upload in progress: append chunks in order, then complete against a digest.</summary>
public sealed class UploadSession
{
    private const int BufferSize = 1 << 18;
    private readonly UploadStore _store;
    private readonly UploadState _state;

    internal UploadSession(UploadStore store, string repository, string id, UploadState state)
    {
        _store = store;
        Repository = repository;
        Id = id;
        _state = state;
    }

    public string Repository { get; }
    public string Id { get; }

    private string DataPath => _store.DataPath(Repository, Id);

    /// <summary>Bytes received so far.</summary>
    public long Size => new FileInfo(DataPath) is { Exists: true } f ? f.Length
        : throw new RegistryException(RegistryError.BlobUploadUnknown, $"upload {Id} is unknown");

    public DateTimeOffset StartedAt =>
        DateTimeOffset.TryParse(Links.Read(_store.Paths.UploadStartedAt(Repository, Id)), out var t) ? t : DateTimeOffset.MinValue;

    /// <summary>
    /// Appends a chunk. <paramref name="start"/>/<paramref name="end"/> come from Content-Range: the
    /// chunk must begin where the data ends (else <see cref="RegistryError.RangeInvalid"/>, 416).
    /// A chunk that fails half way is cut off again, so the session stays usable.
    /// </summary>
    public async Task<long> AppendAsync(Stream body, long? start, long? end, long? contentLength, long maxSize, CancellationToken ct)
    {
        await _state.Lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await AppendLockedAsync(body, start, end, contentLength, maxSize, ct).ConfigureAwait(false);
        }
        finally { _state.Lock.Release(); }
    }

    private async Task<long> AppendLockedAsync(Stream body, long? start, long? end, long? contentLength, long maxSize, CancellationToken ct)
    {
        long size = Size;
        if (start is { } s)
        {
            if (s != size)
                throw new RegistryException(RegistryError.RangeInvalid, $"chunk starts at {s}, but the upload has {size} bytes: send the range {size}-");
            if (end is { } e && (e < s - 1 || contentLength is { } cl0 && cl0 != e - s + 1))
                throw new RegistryException(RegistryError.RangeInvalid, $"Content-Range {s}-{e} does not match Content-Length {contentLength}");
        }
        long? expected = contentLength ?? (start is { } s2 && end is { } e2 ? e2 - s2 + 1 : null);
        if (expected is { } x && size + x > maxSize)
            throw new RegistryException(RegistryError.TooLarge, $"blob would be {size + x} bytes, over the limit of {maxSize}");

        var hasher = _state.HasherAt(DataPath, size);
        var buf = ArrayPool<byte>.Shared.Rent(BufferSize);
        long written = 0;
        try
        {
            using var f = new FileStream(DataPath, FileMode.Open, FileAccess.Write, FileShare.Read, 0);
            f.Seek(size, SeekOrigin.Begin);
            while (true)
            {
                int n = await body.ReadAsync(buf.AsMemory(0, BufferSize), ct).ConfigureAwait(false);
                if (n == 0) break;
                if (size + written + n > maxSize)
                    throw new RegistryException(RegistryError.TooLarge, $"blob is over the limit of {maxSize} bytes");
                await f.WriteAsync(buf.AsMemory(0, n), ct).ConfigureAwait(false);
                hasher.AppendData(buf, 0, n);
                _state.Advance(n);
                written += n;
            }
            if (expected is { } want && want != written)
                throw new RegistryException(RegistryError.SizeInvalid, $"expected {want} bytes, received {written}");
            return size + written;
        }
        catch
        {
            Truncate(size);
            throw;
        }
        finally { ArrayPool<byte>.Shared.Return(buf); }
    }

    private void Truncate(long size)
    {
        _state.ResetHash();
        try
        {
            using var f = new FileStream(DataPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0);
            f.SetLength(size);
        }
        catch (IOException) { }
    }

    /// <summary>
    /// Closes the session: checks the bytes against <paramref name="expected"/>, publishes the blob
    /// and links it into the repository. A mismatch removes the session (the spec's failed upload).
    /// </summary>
    public async Task<BlobInfo> CompleteAsync(Digest expected, Action<Digest> link, CancellationToken ct)
    {
        await _state.Lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            long size = Size;
            Digest actual;
            if (expected.Algorithm == "sha256")
            {
                var hasher = _state.HasherAt(DataPath, size);
                actual = Digest.FromHash("sha256", hasher.GetCurrentHash());
            }
            else
            {
                using var h = expected.CreateHasher();
                await using var f = new FileStream(DataPath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
                var buf = new byte[BufferSize];
                int n;
                while ((n = await f.ReadAsync(buf, ct).ConfigureAwait(false)) > 0) h.AppendData(buf, 0, n);
                actual = Digest.FromHash(expected.Algorithm, h.GetHashAndReset());
            }
            if (actual != expected)
            {
                _store.Finish(Repository, Id);
                throw new RegistryException(RegistryError.DigestInvalid, $"digest mismatch: the upload is {actual}, not {expected}", expected.ToString());
            }
            _store.Blobs.Ingest(DataPath, actual);
            link(actual);
            _store.Finish(Repository, Id);
            return _store.Blobs.Stat(actual) ?? throw new IOException($"blob {actual} vanished after upload");
        }
        finally { _state.Lock.Release(); }
    }

    public void Cancel() => _store.Finish(Repository, Id);
}
