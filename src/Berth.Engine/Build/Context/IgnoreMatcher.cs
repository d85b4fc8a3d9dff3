namespace Berth.Engine.Build.Context;

/// <summary>
/// Decides which context paths an ignore list excludes, with docker's rules: patterns apply in
/// order and the last one that matches wins (<c>!pattern</c> re-includes); a pattern that matches a
/// parent directory matches everything below it. Paths are relative, slash-separated
/// (<c>src/app/main.c</c>). Serves <c>.dockerignore</c> and <c>COPY --exclude</c> alike.
/// </summary>
public sealed class IgnoreMatcher
{
    public static IgnoreMatcher Empty { get; } = new([]);

    public IReadOnlyList<IgnorePattern> Patterns { get; }
    /// <summary>Whether any <c>!</c> pattern exists (without one, an excluded directory can be skipped whole).</summary>
    public bool HasExceptions { get; }
    public bool IsEmpty => Patterns.Count == 0;

    private IgnoreMatcher(IReadOnlyList<IgnorePattern> patterns)
    {
        Patterns = patterns;
        HasExceptions = patterns.Any(p => p.IsException);
    }

    /// <summary>
    /// Compiles patterns (surrounding whitespace trimmed, empty ones dropped, each cleaned like a path,
    /// a leading <c>/</c> removed). Throws <see cref="BerthException"/> for a bad pattern.
    /// </summary>
    public static IgnoreMatcher Create(IEnumerable<string> patterns)
    {
        var compiled = new List<IgnorePattern>();
        foreach (var raw in patterns)
        {
            var p = raw.Trim();
            if (p.Length == 0) continue;
            bool exception = p[0] == '!';
            if (exception)
            {
                p = p[1..].Trim();
                if (p.Length == 0) throw new BerthException("illegal exclusion pattern: \"!\": write !<pattern> to re-include paths");
            }
            compiled.Add(IgnorePattern.Compile(NormalizePattern(p), exception));
        }
        return compiled.Count == 0 ? Empty : new IgnoreMatcher(compiled);
    }

    /// <summary>Cleans a pattern like a path and drops one leading slash: <c>/a/./b/</c> is <c>a/b</c>.</summary>
    public static string NormalizePattern(string pattern)
    {
        var p = CleanPath(pattern);
        return p.Length > 1 && p[0] == '/' ? p[1..] : p;
    }

    /// <summary>Whether <paramref name="path"/> is excluded: its last matching pattern (against it or a parent) is not a <c>!</c>.</summary>
    public bool IsExcluded(string path)
    {
        if (Patterns.Count == 0) return false;
        path = RelativePath(path);
        if (path == ".") return false;
        var parents = ParentPrefixes(path);
        bool matched = false;
        foreach (var pattern in Patterns)
        {
            if (pattern.IsException != matched) continue;
            bool match = pattern.Matches(path);
            if (!match)
                foreach (var parent in parents)
                    if (pattern.Matches(parent)) { match = true; break; }
            if (match) matched = !pattern.IsException;
        }
        return matched;
    }

    /// <summary>
    /// <see cref="IsExcluded(string)"/> for a walker going top-down: pass the state returned for the
    /// parent directory (or <c>default</c> at the top) and the parents are not matched again.
    /// Unlike patternmatcher's <c>MatchesUsingParentResults</c>, every pattern's parent result is
    /// kept, so the answer always equals <see cref="IsExcluded(string)"/>.
    /// </summary>
    public bool IsExcluded(string path, MatchState parent, out MatchState state)
    {
        var parentMatched = parent.PatternMatched;
        var matchedNow = new bool[Patterns.Count];
        state = new MatchState(matchedNow);
        if (Patterns.Count == 0) return false;
        path = RelativePath(path);
        if (path == ".") return false;
        var parents = parentMatched is null ? ParentPrefixes(path) : null;
        bool matched = false;
        for (int i = 0; i < Patterns.Count; i++)
        {
            var pattern = Patterns[i];
            bool match = (parentMatched is not null && parentMatched[i]) || pattern.Matches(path);
            if (!match && parents is not null)
                foreach (var p in parents)
                    if (pattern.Matches(p)) { match = true; break; }
            matchedNow[i] = match;
            if (match && pattern.IsException == matched) matched = !pattern.IsException;
        }
        return matched;
    }

    /// <summary>
    /// Whether a walker may skip directory <paramref name="dir"/> whole: it is excluded and no
    /// <c>!</c> pattern could re-include anything below it.
    /// </summary>
    public bool CanSkipDirectory(string dir)
    {
        if (!IsExcluded(dir)) return false;
        if (!HasExceptions) return true;
        var clean = RelativePath(dir);
        return !Patterns.Any(p => p.IsException && p.CouldMatchBelow(clean));
    }

    /// <summary>Per-pattern results for one directory, handed to its children.</summary>
    public readonly struct MatchState
    {
        internal bool[]? PatternMatched { get; }
        internal MatchState(bool[] matched) => PatternMatched = matched;
    }

    private static List<string> ParentPrefixes(string path)
    {
        var prefixes = new List<string>();
        for (int i = path.IndexOf('/'); i > 0; i = path.IndexOf('/', i + 1))
            prefixes.Add(path[..i]);
        return prefixes;
    }

    /// <summary>A context path as patterns see it: cleaned, without a leading slash (<c>.</c> for the root).</summary>
    private static string RelativePath(string path)
    {
        var clean = CleanPath(path).TrimStart('/');
        return clean.Length == 0 ? "." : clean;
    }

    /// <summary>Go's <c>path.Clean</c>: no empty or <c>.</c> elements, <c>..</c> resolved lexically.</summary>
    public static string CleanPath(string path)
    {
        if (path.Length == 0) return ".";
        bool rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..") parts.RemoveAt(parts.Count - 1);
                else if (!rooted) parts.Add("..");
                continue;
            }
            parts.Add(part);
        }
        var joined = string.Join('/', parts);
        if (rooted) return "/" + joined;
        return joined.Length == 0 ? "." : joined;
    }
}
