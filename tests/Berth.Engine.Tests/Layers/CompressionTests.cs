using Berth.Engine.Layers;
using Berth.Engine.Oci;

namespace Berth.Engine.Tests.Layers;

public class CompressionTests
{
    private static byte[] Sample(int size)
    {
        var data = new byte[size];
        var rng = new Random(42);
        for (int i = 0; i < size; i++) data[i] = (byte)(rng.Next(16) + (i % 64 == 0 ? rng.Next(200) : 0)); // compressible, not trivial
        return data;
    }

    private static byte[] Compress(byte[] data, Compression c)
    {
        var ms = new MemoryStream();
        using (var z = LayerCompression.OpenCompressor(ms, c, leaveOpen: true))
        {
            // odd write sizes, across chunk boundaries
            for (int i = 0; i < data.Length; i += 77777) z.Write(data, i, Math.Min(77777, data.Length - i));
        }
        return ms.ToArray();
    }

    private static byte[] Decompress(byte[] blob, out Compression found)
    {
        using var s = LayerCompression.OpenDecompressed(new TrickleStream(blob), out found);
        var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    [Theory]
    [InlineData(Compression.None)]
    [InlineData(Compression.Gzip)]
    [InlineData(Compression.Zstd)]
    public void RoundTripsAndIsDetected(Compression c)
    {
        foreach (var size in new[] { 0, 1, 5_000_000 })
        {
            var data = Sample(size);
            var blob = Compress(data, c);
            Assert.Equal(data, Decompress(blob, out var found));
            Assert.Equal(c, found);
            if (c != Compression.None && size > 1000) Assert.True(blob.Length < data.Length);
        }
    }

    [Theory]
    [InlineData(Compression.Gzip)]
    [InlineData(Compression.Zstd)]
    public void CompressedBytesAreDeterministic(Compression c)
    {
        var data = Sample(3_000_000);
        Assert.Equal(Digest.Compute(Compress(data, c)), Digest.Compute(Compress(data, c)));
    }

    [Fact]
    public void MultiMemberGzipIsReadByGzipAndZstdByZstd()
    {
        using var tmp = new TempDir();
        var data = Sample(3_500_000);
        File.WriteAllBytes(Path.Combine(tmp.Path, "x.gz"), Compress(data, Compression.Gzip));
        File.WriteAllBytes(Path.Combine(tmp.Path, "x.zst"), Compress(data, Compression.Zstd));
        Kit.Sh($"cd '{tmp.Path}' && gzip -t x.gz && gzip -dc x.gz > from-gz && zstd -q -d x.zst -o from-zst");
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(tmp.Path, "from-gz")));
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(tmp.Path, "from-zst")));
    }

    [Fact]
    public void ReadsWhatGzipAndZstdWrite()
    {
        using var tmp = new TempDir();
        var data = Sample(1_000_000);
        File.WriteAllBytes(Path.Combine(tmp.Path, "x"), data);
        Kit.Sh($"cd '{tmp.Path}' && gzip -k -9 x && zstd -q -19 x -o x.zst");
        Assert.Equal(data, Decompress(File.ReadAllBytes(Path.Combine(tmp.Path, "x.gz")), out var g));
        Assert.Equal(data, Decompress(File.ReadAllBytes(Path.Combine(tmp.Path, "x.zst")), out var z));
        Assert.Equal((Compression.Gzip, Compression.Zstd), (g, z));
    }

    [Fact]
    public void DetectLooksAtMagicBytesOnly()
    {
        Assert.Equal(Compression.Gzip, LayerCompression.Detect([0x1f, 0x8b, 8]));
        Assert.Equal(Compression.Zstd, LayerCompression.Detect([0x28, 0xb5, 0x2f, 0xfd, 0]));
        Assert.Equal(Compression.None, LayerCompression.Detect("ustar"u8));
        Assert.Equal(Compression.None, LayerCompression.Detect([0x1f]));
        Assert.Equal(Compression.None, LayerCompression.Detect([]));
    }

    [Fact]
    public void CorruptGzipFailsInsteadOfReturningGarbage()
    {
        var blob = Compress(Sample(100_000), Compression.Gzip);
        blob[blob.Length / 2] ^= 0xff;
        Assert.ThrowsAny<Exception>(() => Decompress(blob, out _));
    }

    [Fact]
    public void ApplyStraightFromACompressedLayer()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        RoundTripTests.MakeRichTree(src);
        var tar = Kit.Tar(src);
        foreach (var c in new[] { Compression.Gzip, Compression.Zstd })
        {
            var blob = Compress(tar, c);
            var hashing = new HashingStream(new MemoryStream(blob));
            using var layer = LayerCompression.OpenDecompressed(hashing, out _);
            var dst = tmp.Sub("dst-" + c);
            var result = LayerApplier.Apply(layer, dst, new ApplyOptions { Whiteouts = WhiteoutMode.Delete });
            Assert.Equal(Digest.Compute(tar), result.DiffId);
            Assert.Equal(Digest.Compute(blob), hashing.Digest);
            Assert.Equal(blob.Length, hashing.Length);
            Assert.Equal(Kit.Manifest(src), Kit.Manifest(dst));
        }
    }

    /// <summary>A stream that returns few bytes per read, as pipes and sockets do.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1 + (int)(Position % 3000)));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1 + (int)(Position % 3000))]);
    }
}
