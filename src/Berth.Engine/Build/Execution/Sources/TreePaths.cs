namespace Berth.Engine.Build.Execution.Sources;

/// <summary>Path arithmetic inside a source tree: cleaning, joining, and resolving symlinks as in a chroot.</summary>
public static class TreePaths
{
    /// <summary>Go's path.Clean made relative: <c>/a/./b/../c/</c> is <c>a/c</c>; <c>..</c> above the root stays at the root.</summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>Whether <paramref name="path"/>, taken relative to a root, climbs out of it (<c>../x</c>).</summary>
    public static bool Escapes(string path)
    {
        int depth = 0;
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..") { if (--depth < 0) return true; }
            else depth++;
        }
        return false;
    }

    public static string Join(string a, string b) => a.Length == 0 ? b : b.Length == 0 ? a : a + "/" + b;

    public static string Parent(string path) => path.LastIndexOf('/') is var i and >= 0 ? path[..i] : "";

    public static string Name(string path) => path.LastIndexOf('/') is var i and >= 0 ? path[(i + 1)..] : path;

    /// <summary>
    /// The path of what <paramref name="path"/> names once every symlink on the way is followed
    /// inside the tree (an absolute target starts at the tree's root, <c>..</c> stops there);
    /// the last name is followed only when <paramref name="followLast"/>. Null when it does not exist.
    /// </summary>
    public static string? Resolve(ISourceTree tree, string path, bool followLast)
    {
        var pending = new Stack<string>(Clean(path).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = "";
        int links = 0;
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (name == ".") continue;
            if (name == "..") { current = Parent(current); continue; }
            var next = Join(current, name);
            var st = tree.Lstat(next);
            if (st is null) return null;
            if (st.Value.Kind == SourceKind.Symlink && (pending.Count > 0 || followLast))
            {
                if (++links > 40) throw new BerthException($"too many levels of symbolic links in {path}");
                var target = tree.ReadLink(next);
                if (target.StartsWith('/')) current = "";
                foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(part);
                continue;
            }
            if (pending.Count > 0 && st.Value.Kind != SourceKind.Directory) return null;
            current = next;
        }
        return current;
    }
}
