using Berth.Engine.Oci;

namespace Berth.Engine.Content;

/// <summary>Reads committed content. A blob is visible only once its digest has been verified.</summary>
public interface IContentProvider
{
    bool Exists(Digest digest);
    /// <summary>Size of a committed blob, or null when it is absent.</summary>
    long? SizeOf(Digest digest);
    /// <summary>Opens a committed blob; throws <see cref="NotFoundException"/> when it is absent.</summary>
    Stream OpenRead(Digest digest);
    byte[] ReadAllBytes(Digest digest);
}

/// <summary>Writes content: stream into a writer, then commit against the expected digest.</summary>
public interface IContentIngester
{
    ContentWriter BeginWrite();
}

/// <summary>Lists and deletes content.</summary>
public interface IContentManager
{
    IEnumerable<(Digest Digest, long Size)> List();
    bool Delete(Digest digest);
}

public interface IContentStore : IContentProvider, IContentIngester, IContentManager
{
    /// <summary>Writes a whole buffer; verifies it against <paramref name="expected"/> when given.</summary>
    Descriptor WriteBytes(ReadOnlySpan<byte> data, string mediaType, Digest? expected = null);

    /// <summary>Streams content in; verifies digest and size when given before it becomes visible.</summary>
    Task<Descriptor> WriteAsync(Stream data, string mediaType, Digest? expected = null, long? expectedSize = null, CancellationToken ct = default);
}
