using Berth.Engine.Build.Context;
using Berth.Engine.Build.Execution.Sources;
using Berth.Engine.Util;

namespace Berth.Engine.Build.Execution.Copy;

/// <summary>
/// One source a COPY or ADD names, once wildcards are expanded: <see cref="Path"/> as matched
/// (what <c>--parents</c> keeps), <see cref="Resolved"/> after following symlinks inside the tree.
/// </summary>
public sealed record CopyMatch(string Path, string Resolved, SourceStat Stat);

/// <summary>
/// Expands COPY/ADD source patterns in a source tree with docker's rules: a path is relative to
/// the tree's root (a leading <c>/</c> too), <c>..</c> may not leave the build context, wildcards
/// (<c>*</c>, <c>?</c>, <c>[...]</c>) match one name each, a symlink named as a source is followed,
/// and paths the ignore rules exclude do not exist.
/// </summary>
public static class CopySources
{
    public sealed class NotFoundException(string message) : BerthException(message);

    public static List<CopyMatch> Match(ISourceTree tree, IgnoreMatcher ignore, string source, bool isContext)
    {
        var raw = source.Replace('\\', '/');
        if (isContext && TreePaths.Escapes(raw.TrimStart('/')))
            throw new BerthException($"forbidden path outside the build context: {source}");
        var clean = TreePaths.Clean(raw);
        var matches = new List<CopyMatch>();
        if (!HasWildcards(clean))
        {
            if (Find(tree, ignore, clean) is { } m) matches.Add(m);
        }
        else
        {
            Expand(tree, ignore, "", clean.Split('/'), 0, matches);
        }
        if (matches.Count == 0)
        {
            throw new NotFoundException(isContext
                ? $"file not found in build context or excluded by .dockerignore: stat {clean}: file does not exist"
                : $"file not found in {tree.Description}: stat {clean}: file does not exist");
        }
        return matches;
    }

    public static bool HasWildcards(string path) => path.AsSpan().IndexOfAny("*?[") >= 0;

    private static CopyMatch? Find(ISourceTree tree, IgnoreMatcher ignore, string path)
    {
        if (path.Length > 0 && ignore.IsExcluded(path)) return null;
        var resolved = TreePaths.Resolve(tree, path, followLast: true);
        if (resolved is null || tree.Lstat(resolved) is not { } st) return null;
        if (resolved.Length > 0 && resolved != path && ignore.IsExcluded(resolved)) return null;
        return new CopyMatch(path, resolved, st);
    }

    private static void Expand(ISourceTree tree, IgnoreMatcher ignore, string prefix, string[] parts, int index, List<CopyMatch> matches)
    {
        if (index == parts.Length)
        {
            if (Find(tree, ignore, prefix) is { } m) matches.Add(m);
            return;
        }
        var part = parts[index];
        if (!HasWildcards(part))
        {
            Expand(tree, ignore, TreePaths.Join(prefix, part), parts, index + 1, matches);
            return;
        }
        var dir = TreePaths.Resolve(tree, prefix, followLast: true);
        if (dir is null || tree.Lstat(dir) is not { IsDirectory: true }) return;
        foreach (var name in tree.List(dir))
        {
            if (!Glob.Match(part, name)) continue;
            var path = TreePaths.Join(prefix, name);
            if (ignore.IsExcluded(path)) continue;
            Expand(tree, ignore, path, parts, index + 1, matches);
        }
    }
}
