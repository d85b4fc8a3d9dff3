using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Engine.Compose;

/// <summary>
/// Typed reads over YamlDotNet's representation model for the loader: each read names the key path and,
/// when the node has the wrong shape, throws with the file, line and column the node came from. Scalars
/// are interpolated as they are read.
/// </summary>
internal sealed class YamlNodes(Func<string, string?> variables)
{
    private readonly Dictionary<YamlNode, string> _files = new(ReferenceEqualityComparer.Instance);

    public List<string> Warnings { get; } = [];

    /// <summary>Parses one file into its root mapping (an empty file is an empty mapping).</summary>
    public YamlMappingNode Load(string file, string text)
    {
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try { stream.Load(parser); }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up on some malformed input without a position: use the last event it read.
            var at = parser.Current?.End ?? Mark.Empty;
            throw ComposeException.At(file, (int)at.Line, (int)at.Column, "invalid YAML: malformed value after this point (an unclosed [ or {, or a stray character?)");
        }
        catch (YamlException e)
        {
            var msg = (e.InnerException?.Message ?? e.Message).Replace("\n", " ");
            int cut = msg.IndexOf("): ", StringComparison.Ordinal);
            if (msg.StartsWith("(Line:", StringComparison.Ordinal) && cut > 0) msg = msg[(cut + 3)..];
            throw ComposeException.At(file, (int)e.Start.Line, (int)e.Start.Column, "invalid YAML: " + msg);
        }
        if (stream.Documents.Count == 0) return new YamlMappingNode();
        var root = stream.Documents[0].RootNode;
        foreach (var n in root.AllNodes) _files.TryAdd(n, file);
        ApplyMergeKeys(root, new HashSet<YamlNode>(ReferenceEqualityComparer.Instance));
        if (root is YamlScalarNode { Value: null or "" }) return new YamlMappingNode();
        if (root is not YamlMappingNode map) throw Error(root, "", "the top level must be a mapping (services:, networks:, volumes:)");
        return map;
    }

    /// <summary>YAML's <c>&lt;&lt;: *anchor</c> (or a list of them): the anchored mappings' keys, where this mapping has none of its own.</summary>
    private void ApplyMergeKeys(YamlNode node, HashSet<YamlNode> done)
    {
        if (!done.Add(node)) return;
        if (node is YamlSequenceNode seq)
        {
            foreach (var c in seq.Children) ApplyMergeKeys(c, done);
            return;
        }
        if (node is not YamlMappingNode map) return;
        foreach (var v in map.Children.Values.ToList()) ApplyMergeKeys(v, done);
        var mergeKey = new YamlScalarNode("<<");
        if (!map.Children.TryGetValue(mergeKey, out var sources)) return;
        map.Children.Remove(mergeKey);
        var list = sources is YamlSequenceNode s ? s.Children.ToList() : [sources];
        foreach (var src in list)
        {
            if (src is not YamlMappingNode from) throw Error(src, "<<", "a merge key takes a mapping or a list of mappings");
            foreach (var (k, v) in from.Children)
                if (!map.Children.ContainsKey(k)) map.Children.Add(k, v);
        }
    }

    public ComposeException Error(YamlNode node, string path, string message) =>
        ComposeException.At(_files.GetValueOrDefault(node, "compose.yml"), (int)node.Start.Line, (int)node.Start.Column,
            (path.Length > 0 ? path + ": " : "") + message);

    public void Warn(YamlNode node, string path, string message) =>
        Warnings.Add($"{Path.GetFileName(_files.GetValueOrDefault(node, "compose.yml"))}:{node.Start.Line}:{node.Start.Column}: {path}: {message}");

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode s && s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    public bool IsNullNode(YamlNode node) => IsNull(node);

    public string Key(YamlNode key, string path) =>
        key is YamlScalarNode { Value: { } v } ? v : throw Error(key, path, "keys must be strings");

    public IEnumerable<(string Key, YamlNode Value, YamlNode KeyNode)> Entries(YamlNode node, string path)
    {
        if (IsNull(node)) yield break;
        if (node is not YamlMappingNode map) throw Error(node, path, "must be a mapping");
        foreach (var (k, v) in map.Children) yield return (Key(k, path), v, k);
    }

    public IEnumerable<YamlNode> Items(YamlNode node, string path)
    {
        if (IsNull(node)) return [];
        if (node is not YamlSequenceNode seq) throw Error(node, path, "must be a list");
        return seq.Children;
    }

    public string? Scalar(YamlNode node, string path)
    {
        if (IsNull(node)) return null;
        if (node is not YamlScalarNode s) throw Error(node, path, "must be a string or a number, not a " + (node is YamlMappingNode ? "mapping" : "list"));
        try { return Interpolation.Apply(s.Value ?? "", variables); }
        catch (FormatException e) { throw Error(node, path, e.Message); }
    }

    public string String(YamlNode node, string path) => Scalar(node, path) ?? throw Error(node, path, "must not be empty");

    public int Int(YamlNode node, string path, int min = 0) =>
        int.TryParse(String(node, path), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min
            ? n : throw Error(node, path, $"must be a whole number of at least {min}");

    public bool Bool(YamlNode node, string path) => String(node, path).ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "y" => true,
        "false" or "no" or "off" or "n" => false,
        _ => throw Error(node, path, "must be true or false"),
    };

    public TimeSpan Duration(YamlNode node, string path)
    {
        try { return Util.Units.ParseDuration(String(node, path)); }
        catch (BerthException e) { throw Error(node, path, e.Message); }
    }

    /// <summary>A list of strings, or (with <paramref name="split"/>) a string split as a shell splits words.</summary>
    public List<string> Strings(YamlNode node, string path, bool split = false)
    {
        if (node is YamlScalarNode && !IsNull(node))
        {
            var s = String(node, path);
            if (!split) return [s];
            try { return ShellWords.Split(s); }
            catch (FormatException e) { throw Error(node, path, e.Message); }
        }
        return Items(node, path).Select((n, i) => String(n, $"{path}[{i}]")).ToList();
    }

    /// <summary>A mapping of strings or a list of <c>KEY=VALUE</c> (a bare KEY has a null value).</summary>
    public List<KeyValuePair<string, string?>> Pairs(YamlNode node, string path)
    {
        if (node is YamlSequenceNode)
            return Items(node, path).Select((n, i) =>
            {
                var s = String(n, $"{path}[{i}]");
                int eq = s.IndexOf('=');
                return eq < 0 ? new KeyValuePair<string, string?>(s, null) : new(s[..eq], s[(eq + 1)..]);
            }).ToList();
        return Entries(node, path).Select(e => new KeyValuePair<string, string?>(e.Key, Scalar(e.Value, path + "." + e.Key))).ToList();
    }
}
