using Berth.Engine.Build.Context;

namespace Berth.Engine.Tests.Build;

public class IgnoreMatcherTests
{
    private static bool Excluded(string path, params string[] patterns) => IgnoreMatcher.Create(patterns).IsExcluded(path);

    [Theory]
    // docker's documented .dockerignore examples
    [InlineData("*/temp*", "somedir/temporary.txt", true)]
    [InlineData("*/temp*", "somedir/temp", true)]
    [InlineData("*/temp*", "temporary.txt", false)]
    [InlineData("*/temp*", "somedir/subdir/temporary.txt", false)]
    [InlineData("*/*/temp*", "somedir/subdir/temporary.txt", true)]
    [InlineData("temp?", "tempa", true)]
    [InlineData("temp?", "tempab", false)]
    [InlineData("temp?", "dir/tempa", false)]
    [InlineData("**/*.go", "main.go", true)]
    [InlineData("**/*.go", "a/b/c/main.go", true)]
    [InlineData("**/*.go", "a/b/c/main.goo", false)]
    // parent directories exclude their children
    [InlineData("docs", "docs/README.md", true)]
    [InlineData("docs", "docs/sub/deep.txt", true)]
    [InlineData("docs", "mydocs/x", false)]
    [InlineData("a*", "ab/c", true)]
    [InlineData("a*/b", "abc/b", true)]
    [InlineData("a*/b", "a/c/b", false)]
    // ** forms
    [InlineData("**", "anything/at/all", true)]
    [InlineData("dir/**", "dir/file", true)]
    [InlineData("dir/**", "dir/a/b/c", true)]
    [InlineData("dir/**", "dir", false)]
    [InlineData("**/dir", "dir", true)]
    [InlineData("**/dir", "a/dir/file", true)]
    [InlineData("**/dir2/*", "dir/dir2/file", true)]
    [InlineData("**/dir2/**", "dir/dir2/dir3/file", true)]
    [InlineData("a**/*.txt", "a/file.txt", true)]
    [InlineData("a**/*.txt", "a/dir/dir/file.txt", true)]
    [InlineData("**/foo/bar", "foo/bar", true)]
    [InlineData("**/foo/bar", "x/y/foo/bar", true)]
    [InlineData("**/.foo", ".foo", true)]
    [InlineData("**/.foo", "bar.foo", false)]
    [InlineData("**/**/*.txt2", "dir/file.txt", false)]
    // classes, escapes, literal regex characters
    [InlineData("a[b-d]e", "ace", true)]
    [InlineData("a[b-d]e", "aae", false)]
    [InlineData("a[^b-d]e", "aze", true)]
    [InlineData("ab[^c]", "abc", false)]
    [InlineData("a\\*b", "a*b", true)]
    [InlineData("a\\*b", "axb", false)]
    [InlineData("a\\\\", "a\\", true)]
    [InlineData(".*", ".env", true)]
    [InlineData(".*", "env", false)]
    [InlineData("abc.def", "abcxdef", false)]
    [InlineData("a(b)c/def", "a(b)c/def", true)]
    [InlineData("a.|)$(}+{bc", "a.|)$(}+{bc", true)]
    [InlineData("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true)]
    [InlineData("a?b", "a/b", false)]
    [InlineData("a*b", "a/b", false)]
    [InlineData("a?b", "a☺b", true)]
    // leading / and ./ are cleaned away
    [InlineData("/secret", "secret", true)]
    [InlineData("./build", "build/out.o", true)]
    [InlineData("a/../b", "b", true)]
    [InlineData("node_modules/", "node_modules/x/index.js", true)]
    public void SinglePattern(string pattern, string path, bool excluded)
    {
        Assert.Equal(excluded, Excluded(path, pattern));
    }

    [Fact]
    public void ExceptionsApplyInOrderAndTheLastMatchWins()
    {
        Assert.False(Excluded("README.md", "*.md", "!README.md"));
        Assert.True(Excluded("CHANGES.md", "*.md", "!README.md"));

        // *.md, !README*.md, README-secret.md: READMEs included except README-secret.md.
        string[] a = ["*.md", "!README*.md", "README-secret.md"];
        Assert.False(Excluded("README-1.md", a));
        Assert.True(Excluded("README-secret.md", a));
        Assert.True(Excluded("other.md", a));

        // Reordered: the exception comes last, so README-secret.md is included again.
        string[] b = ["*.md", "README-secret.md", "!README*.md"];
        Assert.False(Excluded("README-secret.md", b));

        Assert.True(Excluded("fileutils.go", "*.go", "!fileutils.go", "*.go"));
        Assert.False(Excluded("fileutils.go", "!fileutils.go", "*.go", "!fileutils.go"));
    }

    [Fact]
    public void ExceptionsInsideExcludedDirectories()
    {
        Assert.False(Excluded("docs/README.md", "docs", "!docs/README.md"));
        Assert.True(Excluded("docs/other.md", "docs", "!docs/README.md"));
        Assert.False(Excluded("docs/README.md", "docs/*", "!docs/README.md"));
        Assert.False(Excluded("util/docker/web/foo", "**", "!util/docker/web"));
        Assert.True(Excluded("util/docker/web/foo", "**", "!util/docker/web", "util/docker/web/foo"));
        Assert.False(Excluded("dist/x.whl", "**", "!dist/*.whl"));
    }

    [Fact]
    public void NothingExcludesTheContextRoot()
    {
        Assert.False(Excluded(".", "*"));
        Assert.False(Excluded("", "**"));
        Assert.False(IgnoreMatcher.Empty.IsExcluded("anything"));
        Assert.False(IgnoreMatcher.Create(["**"]).IsExcluded("/", default, out _));
        // Paths are taken relative to the context whatever their spelling.
        Assert.True(Excluded("/docs/a.md", "docs"));
        Assert.True(Excluded("./docs//a.md", "docs"));
    }

    [Theory]
    [InlineData("[")]
    [InlineData("a[]b")]
    [InlineData("a[z-a]")]
    [InlineData("a[b")]
    [InlineData("a\\")]
    [InlineData("[-]")]
    public void BadPatternsAreErrors(string pattern)
    {
        var e = Assert.Throws<BerthException>(() => IgnoreMatcher.Create([pattern]));
        Assert.Contains("syntax error in pattern", e.Message);
    }

    [Fact]
    public void LoneExclamationIsAnError()
    {
        Assert.Contains("illegal exclusion pattern", Assert.Throws<BerthException>(() => IgnoreMatcher.Create(["!"])).Message);
        Assert.Throws<BerthException>(() => IgnoreMatcher.Create(DockerIgnore.ReadPatterns("! \n")));
    }

    [Fact]
    public void ReadsTheFileFormat()
    {
        var patterns = DockerIgnore.ReadPatterns("\uFEFF# comment\n*/temp*\r\n  \n  # not a comment\n/abs/path/\n! ./keep//me \n**/*.go\n");
        Assert.Equal(["*/temp*", "# not a comment", "abs/path", "!keep/me", "**/*.go"], patterns);
    }

    [Fact]
    public void DirectorySkipping()
    {
        var plain = IgnoreMatcher.Create(["node_modules", "build/**"]);
        Assert.True(plain.CanSkipDirectory("node_modules"));
        Assert.False(plain.CanSkipDirectory("src"));
        Assert.False(plain.CanSkipDirectory("build")); // "build/**" excludes build's contents, not build itself
        Assert.True(plain.CanSkipDirectory("build/obj"));

        var withExceptions = IgnoreMatcher.Create(["*", "!src/*.c", "!**/keep.txt", "!docs/api"]);
        Assert.False(withExceptions.CanSkipDirectory("src"));
        Assert.False(withExceptions.CanSkipDirectory("anything")); // **/keep.txt may be inside
        var narrow = IgnoreMatcher.Create(["*", "!src/*.c", "!docs/api"]);
        Assert.True(narrow.CanSkipDirectory("vendor"));
        Assert.False(narrow.CanSkipDirectory("docs"));
    }

    /// <summary>
    /// Over a generated tree and pattern lists: the walker variant agrees with the plain one, and a
    /// directory declared skippable holds no included path.
    /// </summary>
    [Fact]
    public void WalkerAndSkippingAgreeWithPlainMatching()
    {
        var rng = new Random(1234);
        string[] names = ["a", "b", "src", "docs", "keep.txt", "x.c", "README.md", "node_modules", ".git"];
        string[] pieces = ["*", "**", "a", "src", "*.c", "docs", "keep.txt", "?", "[a-s]*", "**/*.md", ".git", "x.c"];
        for (int round = 0; round < 150; round++)
        {
            var patterns = new List<string>();
            for (int i = rng.Next(1, 5); i > 0; i--)
            {
                var parts = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => pieces[rng.Next(pieces.Length)]);
                patterns.Add((rng.Next(3) == 0 ? "!" : "") + string.Join("/", parts));
            }
            var matcher = IgnoreMatcher.Create(patterns);
            var paths = new List<string>();
            void Walk(string prefix, int depth, IgnoreMatcher.MatchState parent)
            {
                foreach (var name in names.OrderBy(_ => rng.Next()).Take(3))
                {
                    var path = prefix.Length == 0 ? name : prefix + "/" + name;
                    bool walker = matcher.IsExcluded(path, parent, out var state);
                    Assert.True(matcher.IsExcluded(path) == walker, $"{string.Join(" ", patterns)} :: {path}");
                    paths.Add(path);
                    if (depth < 3) Walk(path, depth + 1, state);
                }
            }
            Walk("", 0, default);
            foreach (var dir in paths.Where(matcher.CanSkipDirectory))
                foreach (var below in paths.Where(p => p.StartsWith(dir + "/", StringComparison.Ordinal)))
                    Assert.True(matcher.IsExcluded(below), $"{string.Join(" ", patterns)} :: skipped {dir} but {below} is included");
        }
    }

    [Fact]
    public void CopyExcludePatternsUseTheSameMatcher()
    {
        var copy = (Berth.Engine.Build.Dockerfile.CopyInstruction)Berth.Engine.Build.Dockerfile.DockerfileParser
            .Parse("FROM scratch\nCOPY --exclude=*.txt --exclude=*.md hom* /mydir/\n").Stages[0].Instructions[0];
        var exclude = IgnoreMatcher.Create(copy.Excludes);
        Assert.True(exclude.IsExcluded("homework.txt"));
        Assert.True(exclude.IsExcluded("home.md"));
        Assert.False(exclude.IsExcluded("homer.png"));
        Assert.False(exclude.IsExcluded("hom/sub/deep.txt"));
    }

    [Fact]
    public void LoadPrefersTheDockerfilesOwnIgnoreFile()
    {
        var dir = Directory.CreateTempSubdirectory("berth-ignore-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, ".dockerignore"), "*.log\n");
            Directory.CreateDirectory(Path.Combine(dir.FullName, "build"));
            Assert.True(DockerIgnore.Load(dir.FullName, "build/app.Dockerfile").IsExcluded("x.log"));
            File.WriteAllText(Path.Combine(dir.FullName, "build", "app.Dockerfile.dockerignore"), "*.tmp\n");
            var own = DockerIgnore.Load(dir.FullName, "build/app.Dockerfile");
            Assert.False(own.IsExcluded("x.log"));
            Assert.True(own.IsExcluded("x.tmp"));
            Assert.True(DockerIgnore.Load(dir.FullName).IsExcluded("x.log"));
            Assert.True(DockerIgnore.Load(Path.Combine(dir.FullName, "build")).IsEmpty);
            File.WriteAllText(Path.Combine(dir.FullName, ".dockerignore"), "a[\n");
            var e = Assert.Throws<BerthException>(() => DockerIgnore.Load(dir.FullName));
            Assert.Contains(".dockerignore", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
