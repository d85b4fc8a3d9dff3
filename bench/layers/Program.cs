using System.Diagnostics;
using Berth.Engine.Layers;
using Berth.Engine.Oci;

// Layer throughput on one tree, side by side with GNU tar + sha256sum on the same tree.
//   dotnet run -c Release --project bench/layers [-- --size-mb 200 --dir /path/to/tree]
// Without --dir a synthetic rootfs-like tree is generated (many small files, some large ones).
var sizeMb = ArgValue("--size-mb", 200);
var dir = ArgString("--dir");
var work = Directory.CreateTempSubdirectory("berth-bench-layers-").FullName;
try
{
    var tree = dir ?? MakeTree(Path.Combine(work, "tree"), sizeMb);
    var tarFile = Path.Combine(work, "layer.tar");
    Sh("sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true");
    Sh($"tar -C '{tree}' -cf - . > /dev/null"); // warm the page cache for both sides
    var files = Sh($"find '{tree}' | wc -l").Trim();
    Console.WriteLine($"tree: {tree} ({files} entries, {Sh($"du -sm '{tree}'").Split('\t')[0]} MB)");

    // writer: tree -> tar -> sha256 (DiffID), output discarded
    var (diff, tWrite) = Best(3, () => LayerDiff.WriteTree(tree, Stream.Null));
    var (_, tGnu) = Best(3, () => Sh($"tar --sort=name -C '{tree}' -cf - . | sha256sum"));
    Report("write tree -> tar + sha256", diff.TarSize, tWrite, tGnu, "tar -c | sha256sum");

    // applier: tar file -> tree (+ DiffID)
    using (var f = File.Create(tarFile)) LayerDiff.WriteTree(tree, f);
    long tarSize = new FileInfo(tarFile).Length;
    var (_, tApply) = Best(3, () =>
    {
        var dst = Path.Combine(work, "apply");
        Sh($"rm -rf '{dst}'; mkdir '{dst}'");
        using var input = new FileStream(tarFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return LayerApplier.Apply(input, dst);
    }, reset: () => Sh($"rm -rf '{work}/apply'"));
    var (_, tGnuX) = Best(3, () => Sh($"rm -rf '{work}/gx'; mkdir '{work}/gx'; tee < '{tarFile}' >(sha256sum > /dev/null) | tar -C '{work}/gx' -xpf -"));
    Report("apply tar -> tree + sha256", tarSize, tApply, tGnuX, "tar -x (+ sha256sum via tee)");

    // compression of the layer, all cores
    var tarBytes = File.ReadAllBytes(tarFile);
    foreach (var c in new[] { Compression.Gzip, Compression.Zstd })
    {
        long compressed = 0;
        var (_, tc) = Best(2, () =>
        {
            var counter = new HashingStream(Stream.Null);
            using (var z = LayerCompression.OpenCompressor(counter, c, leaveOpen: true)) z.Write(tarBytes);
            compressed = counter.Length;
            return 0;
        });
        var tool = c == Compression.Gzip ? "gzip -1" : "zstd -3 -T0";
        var (_, tt) = Best(1, () => Sh($"{(c == Compression.Gzip ? "gzip -1 -c" : "zstd -3 -T0 -q -c")} '{tarFile}' > /dev/null"));
        Report($"compress {c} ({100.0 * compressed / tarSize:F1}% of tar, {Environment.ProcessorCount} cores)", tarSize, tc, tt, tool);
        var blob = Path.Combine(work, "layer." + c);
        using (var f = File.Create(blob)) using (var z = LayerCompression.OpenCompressor(f, c)) z.Write(tarBytes);
        var (_, td) = Best(2, () =>
        {
            using var s = LayerCompression.OpenDecompressed(File.OpenRead(blob), out _);
            s.CopyTo(Stream.Null);
            return 0;
        });
        var (_, tdt) = Best(1, () => Sh($"{(c == Compression.Gzip ? "gzip -dc" : "zstd -dc -q")} '{blob}' > /dev/null"));
        Report($"decompress {c}", tarSize, td, tdt, c == Compression.Gzip ? "gzip -dc" : "zstd -dc");
    }
}
finally
{
    Sh($"rm -rf '{work}'");
}

static void Report(string what, long bytes, double ours, double theirs, string tool)
{
    double mb = bytes / 1e6;
    Console.WriteLine($"{what,-48} {mb / ours,7:F0} MB/s ({ours * 1000,6:F0} ms)   {tool}: {mb / theirs,6:F0} MB/s ({theirs * 1000,6:F0} ms)   ratio {theirs / ours:F2}x");
}

static (T, double) Best<T>(int runs, Func<T> f, Action? reset = null)
{
    T result = default!;
    double best = double.MaxValue;
    for (int i = 0; i < runs; i++)
    {
        reset?.Invoke();
        var sw = Stopwatch.StartNew();
        result = f();
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    return (result, best);
}

static string MakeTree(string root, int sizeMb)
{
    // rootfs-like: 80% of the bytes in ~20k small files (1-16 KiB) over a few hundred dirs, the rest in large files
    Directory.CreateDirectory(root);
    var rng = new Random(7);
    var buffer = new byte[64 << 20];
    for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)(rng.Next(64) < 40 ? 'a' + rng.Next(8) : rng.Next(256));
    long budgetSmall = (long)sizeMb * 800_000, budgetLarge = (long)sizeMb * 200_000;
    int n = 0;
    while (budgetSmall > 0)
    {
        var d = Path.Combine(root, $"usr/lib/pkg{n / 60}");
        Directory.CreateDirectory(d);
        int size = 1024 + rng.Next(15 * 1024);
        File.WriteAllBytes(Path.Combine(d, $"file{n}.so"), buffer.AsSpan(rng.Next(buffer.Length - size), size).ToArray());
        budgetSmall -= size;
        n++;
        if (n % 10 == 0) File.CreateSymbolicLink(Path.Combine(d, $"link{n}"), $"file{n - 1}.so");
    }
    Directory.CreateDirectory(Path.Combine(root, "opt/big"));
    for (int i = 0; budgetLarge > 0; i++)
    {
        int size = (int)Math.Min(budgetLarge, 20 << 20);
        File.WriteAllBytes(Path.Combine(root, $"opt/big/blob{i}"), buffer.AsSpan(rng.Next(buffer.Length - size), size).ToArray());
        budgetLarge -= size;
    }
    return root;
}

static string Sh(string script)
{
    var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true };
    psi.ArgumentList.Add("-c");
    psi.ArgumentList.Add(script);
    using var p = Process.Start(psi)!;
    var output = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    return output;
}

int ArgValue(string name, int fallback) => ArgString(name) is { } s ? int.Parse(s) : fallback;
string? ArgString(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
