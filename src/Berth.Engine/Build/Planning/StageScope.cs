namespace Berth.Engine.Build.Planning;

/// <summary>
/// The variables one stage sees at one point: its environment (base image ENV, then ENV
/// instructions) and its declared ARGs. ENV wins over an ARG of the same name, as the reference says.
/// </summary>
internal sealed class StageScope
{
    private readonly Dictionary<string, string> _env = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _args = new(StringComparer.Ordinal);

    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static StageScope FromImageEnv(IEnumerable<string> env)
    {
        var scope = new StageScope();
        foreach (var entry in env)
        {
            int eq = entry.IndexOf('=');
            scope._env[eq < 0 ? entry : entry[..eq]] = eq < 0 ? "" : entry[(eq + 1)..];
        }
        // BuildKit makes sure PATH is always set.
        scope._env.TryAdd("PATH", DefaultPath);
        return scope;
    }

    public StageScope Clone()
    {
        var copy = new StageScope();
        foreach (var (k, v) in _env) copy._env[k] = v;
        foreach (var (k, v) in _args) copy._args[k] = v;
        return copy;
    }

    public void SetEnv(string name, string value) => _env[name] = value;
    public void DeclareArg(string name, string? value) => _args[name] = value;

    /// <summary>What <c>$NAME</c> expands against: ARG values overlaid by ENV.</summary>
    public Dictionary<string, string> Variables()
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in _args) if (v is not null) vars[k] = v;
        foreach (var (k, v) in _env) vars[k] = v;
        return vars;
    }

    /// <summary>Declared ARGs with a value that no ENV shadows, sorted by name.</summary>
    public List<KeyValuePair<string, string>> VisibleArgs() =>
        [.. _args.Where(a => a.Value is not null && !_env.ContainsKey(a.Key))
            .Select(a => new KeyValuePair<string, string>(a.Key, a.Value!))
            .OrderBy(a => a.Key, StringComparer.Ordinal)];
}
