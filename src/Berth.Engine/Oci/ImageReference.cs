using System.Diagnostics.CodeAnalysis;

namespace Berth.Engine.Oci;

/// <summary>
/// An image reference in Docker's grammar, normalised as Docker does: <c>busybox</c> is
/// <c>docker.io/library/busybox:latest</c>; <c>host:5000/a/b:tag</c> keeps its registry;
/// <c>name@sha256:...</c> names content by digest.
/// </summary>
public sealed record ImageReference
{
    public const string DefaultDomain = "docker.io";
    public const string DefaultTag = "latest";
    private const int NameTotalLengthMax = 255;

    /// <summary>Registry host, with port when given (<c>docker.io</c>, <c>localhost:5000</c>).</summary>
    public required string Domain { get; init; }
    /// <summary>Repository path inside the registry (<c>library/busybox</c>).</summary>
    public required string Path { get; init; }
    public string? Tag { get; init; }
    public Digest? Digest { get; init; }

    /// <summary>domain/path, the full repository name.</summary>
    public string Repository => Domain + "/" + Path;

    /// <summary>The repository as docker shows it: <c>busybox</c>, <c>user/app</c>, <c>host:5000/app</c>.</summary>
    public string FamiliarRepository =>
        Domain == DefaultDomain ? (Path.StartsWith("library/", StringComparison.Ordinal) && Path.IndexOf('/', 8) < 0 ? Path[8..] : Path) : Repository;

    public override string ToString() =>
        Repository + (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d : "");

    public string Familiar =>
        FamiliarRepository + (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d : "");

    public ImageReference WithTag(string tag) => this with { Tag = tag, Digest = null };
    public ImageReference WithDigest(Digest digest) => this with { Tag = null, Digest = digest };

    /// <summary>Parses and normalises; a reference with neither tag nor digest gets <c>:latest</c>.</summary>
    public static ImageReference Parse(string text)
    {
        var r = ParseNoDefaults(text);
        return r.Tag is null && r.Digest is null ? r with { Tag = DefaultTag } : r;
    }

    public static bool TryParse(string text, [NotNullWhen(true)] out ImageReference? reference)
    {
        try { reference = Parse(text); return true; }
        catch (BerthException) { reference = null; return false; }
    }

    /// <summary>
    /// Splits a normalised reference this program validated before storing it (metadata rows):
    /// <c>domain/path:tag</c> or <c>domain/path@digest</c>. Never use it on input from outside.
    /// </summary>
    internal static ImageReference FromStored(string text)
    {
        int slash = text.IndexOf('/');
        int at = text.IndexOf('@');
        int colon = text.LastIndexOf(':', at < 0 ? text.Length - 1 : at);
        if (slash <= 0) return ParseNoDefaults(text);
        string? tag = null;
        Digest? digest = null;
        int end = text.Length;
        if (at > 0) { digest = Oci.Digest.FromStored(text[(at + 1)..]); end = at; }
        if (colon > slash && colon < end) { tag = text[(colon + 1)..end]; end = colon; }
        var domain = text[..slash];
        return new ImageReference { Domain = domain == DefaultDomain ? DefaultDomain : domain, Path = text[(slash + 1)..end], Tag = tag, Digest = digest };
    }

    /// <summary>Parses and normalises the name, without adding a default tag.</summary>
    public static ImageReference ParseNoDefaults(string text)
    {
        if (string.IsNullOrEmpty(text)) throw Invalid(text, "empty reference");
        string rest = text;
        Digest? digest = null;
        int at = rest.IndexOf('@');
        if (at >= 0)
        {
            if (!Oci.Digest.TryParse(rest[(at + 1)..], out var d, out var err)) throw Invalid(text, "invalid digest: " + err);
            digest = d;
            rest = rest[..at];
        }
        string? tag = null;
        int lastSlash = rest.LastIndexOf('/');
        int colon = rest.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!IsValidTag(tag)) throw Invalid(text, $"invalid tag \"{tag}\": use up to 128 of [A-Za-z0-9_.-], not starting with . or -");
        }
        if (rest.Length == 0) throw Invalid(text, "missing repository name");

        string domain, path;
        int slash = rest.IndexOf('/');
        var first = slash < 0 ? "" : rest[..slash];
        if (slash >= 0 && (first.Contains('.') || first.Contains(':') || first == "localhost" || first.Any(char.IsUpper)))
        {
            domain = first;
            path = rest[(slash + 1)..];
            if (!IsValidDomain(domain)) throw Invalid(text, $"invalid registry host \"{domain}\"");
        }
        else
        {
            domain = DefaultDomain;
            path = rest;
        }
        if (domain == "index.docker.io") domain = DefaultDomain;
        if (path.Any(char.IsUpper)) throw Invalid(text, "repository name must be lowercase");
        if (!IsValidPath(path)) throw Invalid(text, $"invalid repository name \"{path}\": use lowercase letters, digits and separators (. _ __ -), components joined by /");
        if (domain == DefaultDomain && !path.Contains('/')) path = "library/" + path;
        if (domain.Length + 1 + path.Length > NameTotalLengthMax) throw Invalid(text, $"repository name must not be longer than {NameTotalLengthMax} characters");
        return new ImageReference { Domain = domain, Path = path, Tag = tag, Digest = digest };
    }

    private static BerthException Invalid(string text, string why) =>
        new($"invalid reference format \"{text}\": {why}");

    public static bool IsValidTag(string tag)
    {
        if (tag.Length is 0 or > 128) return false;
        if (!IsWord(tag[0])) return false;
        foreach (var c in tag) if (!(IsWord(c) || c is '.' or '-')) return false;
        return true;
        static bool IsWord(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_';
    }

    /// <summary>path-component ('/' path-component)*, each alnum (separator alnum)*, separator = [_.] | __ | -+.</summary>
    public static bool IsValidPath(string path)
    {
        if (path.Length == 0) return false;
        foreach (var component in path.Split('/'))
            if (!IsValidComponent(component)) return false;
        return true;
    }

    private static bool IsValidComponent(string c)
    {
        if (c.Length == 0 || !IsAlnum(c[0]) || !IsAlnum(c[^1])) return false;
        int i = 0;
        while (i < c.Length)
        {
            if (IsAlnum(c[i])) { i++; continue; }
            int start = i;
            while (i < c.Length && !IsAlnum(c[i])) i++;
            var sep = c[start..i];
            bool ok = sep is "." or "_" or "__" || sep.All(ch => ch == '-');
            if (!ok) return false;
        }
        return true;
        static bool IsAlnum(char ch) => ch is >= 'a' and <= 'z' or >= '0' and <= '9';
    }

    public static bool IsValidDomain(string domain)
    {
        string host = domain;
        int colon = domain.LastIndexOf(':');
        if (domain.StartsWith('['))
        {
            int close = domain.IndexOf(']');
            if (close < 0) return false;
            host = domain[1..close];
            var after = domain[(close + 1)..];
            if (after.Length > 0 && (!after.StartsWith(':') || !IsPort(after[1..]))) return false;
            return System.Net.IPAddress.TryParse(host, out _);
        }
        if (colon >= 0)
        {
            if (!IsPort(domain[(colon + 1)..])) return false;
            host = domain[..colon];
        }
        if (host.Length == 0) return false;
        foreach (var part in host.Split('.'))
        {
            if (part.Length == 0 || part[0] == '-' || part[^1] == '-') return false;
            foreach (var ch in part)
                if (!(char.IsAsciiLetterOrDigit(ch) || ch == '-')) return false;
        }
        return true;
        static bool IsPort(string p) => p.Length is > 0 and <= 5 && p.All(char.IsAsciiDigit);
    }
}
