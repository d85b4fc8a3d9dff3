using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Berth.Engine.Compose;

/// <summary>What to load: the files (-f; empty finds compose.yaml & co in the directory), -p, the environment.</summary>
public sealed record ComposeLoadOptions
{
    public List<string> Files { get; init; } = [];
    public string? ProjectName { get; init; }
    public string WorkingDir { get; init; } = Directory.GetCurrentDirectory();
    /// <summary>The process environment; .env in the project directory fills what it lacks.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}

/// <summary>
/// Loads compose files into a <see cref="ComposeProject"/>: YAML through YamlDotNet's representation model
/// (anchors and <c>&lt;&lt;</c> merge keys included), later files merged over earlier ones, variables from the
/// environment and <c>.env</c>, the specification's common subset turned into the model. Malformed input
/// throws with file, line and column; unknown or unsupported keys become warnings naming them.
/// </summary>
public static partial class ComposeLoader
{
    public static readonly string[] DefaultFiles = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex ProjectNamePattern();

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex ServiceNamePattern();

    public static ComposeProject Load(ComposeLoadOptions o)
    {
        var files = o.Files.Count > 0 ? o.Files.Select(f => Path.GetFullPath(f, o.WorkingDir)).ToList() : [Discover(o.WorkingDir)];
        var dir = Path.GetDirectoryName(files[0])!;
        var dotenv = new Dictionary<string, string>();
        var envPath = Path.Combine(dir, ".env");
        if (File.Exists(envPath))
            foreach (var (k, v) in DotEnv.Parse(File.ReadAllText(envPath), envPath, o.Environment))
                if (v is not null) dotenv[k] = v;
        string? Lookup(string name) => o.Environment(name) ?? dotenv.GetValueOrDefault(name);
        var nodes = new YamlNodes(Lookup);
        YamlMappingNode? merged = null;
        foreach (var f in files)
        {
            string text;
            try { text = File.ReadAllText(f); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new BerthException($"cannot read compose file {f}: {e.Message}"); }
            var root = nodes.Load(f, text);
            merged = merged is null ? root : Merge(merged, root, "");
        }
        var name = o.ProjectName ?? TopLevelName(merged!, nodes) ?? Lookup("COMPOSE_PROJECT_NAME") ?? NormalizeName(Path.GetFileName(dir));
        if (!ProjectNamePattern().IsMatch(name))
            throw new BerthException($"invalid project name \"{name}\": use lowercase letters, digits, dashes and underscores, starting with a letter or digit");
        return new ProjectReader(nodes, name, dir, Lookup).Read(merged!);
    }

    private static string Discover(string dir)
    {
        foreach (var f in DefaultFiles)
            if (File.Exists(Path.Combine(dir, f))) return Path.Combine(dir, f);
        throw new BerthException($"no compose file found in {dir}: name one with -f, or create compose.yaml");
    }

    private static string? TopLevelName(YamlMappingNode root, YamlNodes nodes) =>
        root.Children.TryGetValue(new YamlScalarNode("name"), out var n) ? nodes.Scalar(n, "name") : null;

    /// <summary>docker compose's rule: lowercase, characters other than [a-z0-9_-] dropped.</summary>
    public static string NormalizeName(string name)
    {
        var s = new string(name.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-').ToArray()).TrimStart('_', '-');
        return s.Length > 0 ? s : "default";
    }

    private static readonly HashSet<string> s_appendedKeys = ["ports", "expose", "env_file", "dns", "cap_add", "cap_drop", "tmpfs"];

    /// <summary>compose's override rule, simplified: mappings merge key by key, a few lists append, anything else is replaced.</summary>
    private static YamlMappingNode Merge(YamlMappingNode a, YamlMappingNode b, string path)
    {
        var result = new YamlMappingNode();
        foreach (var (k, v) in a.Children) result.Children[k] = v;
        foreach (var (k, v) in b.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            if (result.Children.TryGetValue(k, out var old))
            {
                if (old is YamlMappingNode om && v is YamlMappingNode nm) { result.Children[k] = Merge(om, nm, path + "." + key); continue; }
                if (old is YamlSequenceNode os && v is YamlSequenceNode ns && s_appendedKeys.Contains(key) && path.StartsWith(".services.", StringComparison.Ordinal))
                {
                    result.Children[k] = new YamlSequenceNode(os.Children.Concat(ns.Children));
                    continue;
                }
            }
            result.Children[k] = v;
        }
        return result;
    }

    internal static bool IsServiceName(string s) => ServiceNamePattern().IsMatch(s);
}
