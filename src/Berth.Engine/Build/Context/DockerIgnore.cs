using System.Text;

namespace Berth.Engine.Build.Context;

/// <summary>
/// The <c>.dockerignore</c> file: one pattern per line, <c>#</c> comment lines, <c>!</c> exceptions.
/// A Dockerfile may bring its own, <c>&lt;Dockerfile&gt;.dockerignore</c> beside it, which then
/// replaces the context's <c>.dockerignore</c>.
/// </summary>
public static class DockerIgnore
{
    public const string FileName = ".dockerignore";

    /// <summary>The patterns of an ignore file's text, normalised as docker reads them.</summary>
    public static IReadOnlyList<string> ReadPatterns(string text)
    {
        if (text.StartsWith('\uFEFF')) text = text[1..];
        var patterns = new List<string>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.EndsWith('\r') ? rawLine[..^1] : rawLine;
            if (line.StartsWith('#')) continue;
            var p = line.Trim();
            if (p.Length == 0) continue;
            bool exception = p[0] == '!';
            if (exception) p = p[1..].Trim();
            if (p.Length > 0) p = IgnoreMatcher.NormalizePattern(p);
            patterns.Add(exception ? "!" + p : p);
        }
        return patterns;
    }

    /// <summary>
    /// The ignore file that applies: <c>&lt;dockerfile&gt;.dockerignore</c> when it exists, else
    /// <c>&lt;context&gt;/.dockerignore</c> when it exists, else null.
    /// </summary>
    public static string? Locate(string contextDir, string? dockerfilePath = null)
    {
        if (dockerfilePath is not null)
        {
            var own = Path.Combine(contextDir, dockerfilePath) + FileName;
            if (File.Exists(own)) return own;
        }
        var shared = Path.Combine(contextDir, FileName);
        return File.Exists(shared) ? shared : null;
    }

    /// <summary>The matcher for a build: the applicable ignore file's patterns, or none.</summary>
    public static IgnoreMatcher Load(string contextDir, string? dockerfilePath = null)
    {
        var file = Locate(contextDir, dockerfilePath);
        if (file is null) return IgnoreMatcher.Empty;
        try
        {
            return IgnoreMatcher.Create(ReadPatterns(File.ReadAllText(file, Encoding.UTF8)));
        }
        catch (BerthException e)
        {
            throw new BerthException($"{file}: {e.Message}");
        }
    }
}
