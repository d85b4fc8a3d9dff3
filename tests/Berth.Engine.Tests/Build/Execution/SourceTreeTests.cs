using Berth.Engine.Build.Context;
using Berth.Engine.Build.Execution.Copy;
using Berth.Engine.Build.Execution.Sources;
using Berth.Engine.Tests.Runtime;

namespace Berth.Engine.Tests.Build.Execution;

/// <summary>Source matching, checksums and the tar context, on real trees.</summary>
public sealed class SourceTreeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-ctx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string path, string content)
    {
        var full = Path.Combine(_dir, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    private static List<string> Paths(IEnumerable<CopyMatch> matches) => [.. matches.Select(m => m.Path)];

    [Fact]
    public void Wildcards_match_one_name_each_and_ignored_paths_do_not_exist()
    {
        Write("a.txt", "a");
        Write("b.txt", "b");
        Write("c.md", "c");
        Write("sub/d.txt", "d");
        using var tree = new DirectoryTree(_dir, "build context");
        var ignore = IgnoreMatcher.Create(["b.txt"]);
        Assert.Equal(["a.txt"], Paths(CopySources.Match(tree, ignore, "*.txt", true)));
        Assert.Equal(["a.txt", "b.txt"], Paths(CopySources.Match(tree, IgnoreMatcher.Empty, "/*.txt", true)));
        Assert.Equal(["sub/d.txt"], Paths(CopySources.Match(tree, ignore, "s?b/[d-e].txt", true)));
        Assert.Throws<CopySources.NotFoundException>(() => CopySources.Match(tree, ignore, "b.txt", true));
        Assert.Throws<CopySources.NotFoundException>(() => CopySources.Match(tree, ignore, "*.none", true));
        var escape = Assert.Throws<BerthException>(() => CopySources.Match(tree, ignore, "../etc/passwd", true));
        Assert.Contains("outside the build context", escape.Message);
    }

    [Fact]
    public void Symlinks_resolve_inside_the_tree_never_outside()
    {
        Write("real/file", "inside");
        File.CreateSymbolicLink(Path.Combine(_dir, "abs"), "/real/file");
        File.CreateSymbolicLink(Path.Combine(_dir, "up"), "../../../../real/file");
        File.CreateSymbolicLink(Path.Combine(_dir, "hostetc"), "/etc");
        File.CreateSymbolicLink(Path.Combine(_dir, "loop"), "/loop");
        using var tree = new DirectoryTree(_dir, "build context");
        Assert.Equal("real/file", TreePaths.Resolve(tree, "abs", followLast: true));
        Assert.Equal("real/file", TreePaths.Resolve(tree, "up", followLast: true));
        Assert.Equal("abs", TreePaths.Resolve(tree, "abs", followLast: false));
        // /etc of the host is not reachable: inside the tree "hostetc" leads to its own (missing) /etc.
        Assert.Null(TreePaths.Resolve(tree, "hostetc/passwd", followLast: true));
        Assert.Throws<BerthException>(() => TreePaths.Resolve(tree, "loop/x", followLast: true));
    }

    [Fact]
    public void Checksums_follow_content_and_mode_but_not_mtime()
    {
        Write("dir/a", "one");
        Write("dir/b", "two");
        string Sum()
        {
            using var tree = new DirectoryTree(_dir, "build context");
            return CopyChecksum.Compute(tree, CopySources.Match(tree, IgnoreMatcher.Empty, "dir", true), IgnoreMatcher.Empty, IgnoreMatcher.Empty);
        }
        var first = Sum();
        File.SetLastWriteTimeUtc(Path.Combine(_dir, "dir/a"), DateTime.UtcNow.AddDays(-3));
        Assert.Equal(first, Sum());
        File.SetUnixFileMode(Path.Combine(_dir, "dir/a"), (UnixFileMode)0x1C0);
        var moded = Sum();
        Assert.NotEqual(first, moded);
        Write("dir/b", "TWO");
        Assert.NotEqual(moded, Sum());
    }

    [Fact]
    public void A_tar_context_is_indexed_once_and_read_on_demand()
    {
        Write("src/main.c", "int main;");
        Write("README", "readme");
        File.CreateSymbolicLink(Path.Combine(_dir, "link"), "src/main.c");
        var tar = Path.Combine(_dir, "..", Path.GetFileName(_dir) + ".tar");
        TestBundle.Sh($"tar -C {_dir} -cf {tar} ./src/main.c README link && ln -f {_dir}/README {_dir}/hard");
        try
        {
            using var input = File.OpenRead(tar);
            using var tree = TarTree.Open(input, _dir, tar);
            Assert.Equal(["README", "link", "src"], tree.List(""));
            Assert.True(tree.Lstat("src")!.Value.IsDirectory); // implied by src/main.c
            Assert.Equal("src/main.c", TreePaths.Resolve(tree, "link", followLast: true));
            using var r = new StreamReader(tree.OpenRead("src/main.c"));
            Assert.Equal("int main;", r.ReadToEnd());
            Assert.Null(tree.Lstat("missing"));
        }
        finally
        {
            File.Delete(tar);
        }
    }
}
