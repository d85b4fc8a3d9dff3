using Berth.Engine.Build.Cache;
using Berth.Engine.Build.Execution.Sources;
using Berth.Engine.Metadata;

namespace Berth.Engine.Tests.Build.Execution;

/// <summary>Digests of large context files remembered by their stat; any write makes them read again.</summary>
public sealed class FileSumsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-sums-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_digest_is_reused_only_while_the_file_is_untouched()
    {
        var file = Path.Combine(_dir, "big.bin");
        File.WriteAllBytes(file, new byte[FileSums.MinSize]);
        File.WriteAllBytes(Path.Combine(_dir, "small"), [1, 2, 3]);
        Thread.Sleep(FileSums.RacyWindow + TimeSpan.FromMilliseconds(200)); // younger entries are not kept
        using var db = new MetadataDb(Path.Combine(_dir, "db"), Schemas.All);
        var sums = new FileSums(db, new object());
        using var tree = new DirectoryTree(_dir, "build context");
        var st = tree.Lstat("big.bin")!.Value;
        Assert.Null(sums.Find(tree, "big.bin", st));
        sums.Add(tree, "big.bin", st, [42]);
        sums.Add(tree, "small", tree.Lstat("small")!.Value, [7]);
        sums.Flush();
        Assert.Equal([42], sums.Find(tree, "big.bin", tree.Lstat("big.bin")!.Value));
        Assert.Null(sums.Find(tree, "small", tree.Lstat("small")!.Value)); // small files are always read

        // Same size, same mtime put back: the ctime still tells.
        var mtime = File.GetLastWriteTimeUtc(file);
        var bytes = new byte[FileSums.MinSize];
        bytes[0] = 1;
        File.WriteAllBytes(file, bytes);
        File.SetLastWriteTimeUtc(file, mtime);
        Assert.Null(sums.Find(tree, "big.bin", tree.Lstat("big.bin")!.Value));
    }
}
