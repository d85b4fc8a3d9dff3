namespace Berth.Registry.Http;

internal static class BodyReader
{
    /// <summary>Reads a whole request body of at most <paramref name="max"/> bytes; null when it is longer.</summary>
    public static async Task<byte[]?> ReadAllAsync(Stream body, long max, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        var buf = new byte[16 * 1024];
        int n;
        while ((n = await body.ReadAsync(buf, ct).ConfigureAwait(false)) > 0)
        {
            if (ms.Length + n > max) return null;
            ms.Write(buf, 0, n);
        }
        return ms.ToArray();
    }
}
