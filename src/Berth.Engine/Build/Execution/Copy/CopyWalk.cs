using Berth.Engine.Build.Context;
using Berth.Engine.Build.Execution.Sources;

namespace Berth.Engine.Build.Execution.Copy;

/// <summary>
/// Walks what one match brings: itself, and for a directory everything below it, depth-first with
/// names in ordinal order, skipping what the context's ignore rules and <c>--exclude</c> patterns
/// exclude (an excluded directory is not entered unless an exception could re-include below it).
/// </summary>
public static class CopyWalk
{
    /// <param name="visit">Gets the path relative to the match ("" for the match itself), the tree path, and the entry's stat.</param>
    public static void Walk(ISourceTree tree, CopyMatch match, IgnoreMatcher ignore, IgnoreMatcher excludes, Action<string, string, SourceStat> visit)
    {
        visit("", match.Resolved, match.Stat);
        if (match.Stat.IsDirectory) WalkDir(tree, match.Resolved, match.Path, "", ignore, excludes, visit);
    }

    private static void WalkDir(ISourceTree tree, string dir, string lexicalDir, string relDir, IgnoreMatcher ignore, IgnoreMatcher excludes,
        Action<string, string, SourceStat> visit)
    {
        foreach (var name in tree.List(dir))
        {
            var path = TreePaths.Join(dir, name);
            var lexical = TreePaths.Join(lexicalDir, name);
            var rel = TreePaths.Join(relDir, name);
            if (tree.Lstat(path) is not { } st) continue;
            bool hidden = (!ignore.IsEmpty && ignore.IsExcluded(lexical)) || (!excludes.IsEmpty && excludes.IsExcluded(rel));
            if (hidden)
            {
                if (st.IsDirectory && !ignore.CanSkipDirectory(lexical) && !excludes.CanSkipDirectory(rel))
                    WalkDir(tree, path, lexical, rel, ignore, excludes, visit);
                continue;
            }
            visit(rel, path, st);
            if (st.IsDirectory) WalkDir(tree, path, lexical, rel, ignore, excludes, visit);
        }
    }
}
