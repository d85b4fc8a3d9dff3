using System.Text;
using Berth.Engine.Build.Context;

namespace Berth.Engine.Build.Execution.Sources;

/// <summary>
/// The files a build may read: a directory (read in place) or a tar (indexed, read on demand),
/// with the <c>.dockerignore</c> that applies. Nothing is copied up front: a COPY reads only what
/// it names.
/// </summary>
public sealed class BuildContext : IDisposable
{
    private BuildContext(ISourceTree tree, IgnoreMatcher ignore, string? directory)
    {
        Tree = tree;
        Ignore = ignore;
        Directory = directory;
    }

    public ISourceTree Tree { get; }
    /// <summary>The ignore rules: excluded paths are invisible to COPY and ADD.</summary>
    public IgnoreMatcher Ignore { get; }
    /// <summary>The context directory, when the context is one.</summary>
    public string? Directory { get; }

    /// <summary>
    /// A directory context. <paramref name="dockerfilePath"/> (as given to <c>-f</c>, or null for
    /// stdin) locates <c>&lt;Dockerfile&gt;.dockerignore</c>, which wins over the context's own.
    /// </summary>
    public static BuildContext FromDirectory(string directory, string? dockerfilePath)
    {
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
            throw new BerthException($"unable to prepare context: path \"{directory}\" not found");
        var ignore = DockerIgnore.Load(full, dockerfilePath is null ? null : Path.GetFullPath(dockerfilePath));
        return new BuildContext(new DirectoryTree(full, "build context"), ignore, full);
    }

    /// <summary>A tar context (stdin); <paramref name="dockerfileInContext"/> is the Dockerfile's path inside it.</summary>
    public static BuildContext FromTar(Stream tar, string tmpDir, string? inPlacePath, string dockerfileInContext)
    {
        var tree = TarTree.Open(tar, tmpDir, inPlacePath);
        try
        {
            var text = ReadText(tree, TreePaths.Clean(dockerfileInContext) + DockerIgnore.FileName) ?? ReadText(tree, DockerIgnore.FileName);
            var ignore = text is null ? IgnoreMatcher.Empty : IgnoreMatcher.Create(DockerIgnore.ReadPatterns(text));
            return new BuildContext(tree, ignore, null);
        }
        catch
        {
            tree.Dispose();
            throw;
        }
    }

    /// <summary>A text file of the context (the Dockerfile of a tar context), symlinks followed inside it; null when absent.</summary>
    public string? ReadText(string path) => ReadText(Tree, path);

    private static string? ReadText(ISourceTree tree, string path)
    {
        var resolved = TreePaths.Resolve(tree, TreePaths.Clean(path), followLast: true);
        if (resolved is null || tree.Lstat(resolved) is not { Kind: SourceKind.File }) return null;
        using var s = tree.OpenRead(resolved);
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }

    public void Dispose() => Tree.Dispose();
}
