namespace Berth.Engine.Build.Planning;

/// <summary>
/// The <c>--build-arg</c> values of a build, in the order given. <c>--build-arg NAME</c> without a
/// value takes NAME from the environment; when the environment has none the argument is listed but
/// has no value (it overrides nothing, as with docker).
/// </summary>
public sealed class BuildArgs
{
    /// <summary>The predefined proxy arguments: usable without ARG, kept out of history and cache keys.</summary>
    public static readonly IReadOnlySet<string> Predefined = new HashSet<string>(StringComparer.Ordinal)
    {
        "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
        "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
    };

    public static BuildArgs Empty { get; } = new([]);

    private readonly List<KeyValuePair<string, string?>> _args;
    private readonly Dictionary<string, string?> _byName;

    private BuildArgs(List<KeyValuePair<string, string?>> args)
    {
        _args = args;
        _byName = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (k, v) in args) _byName[k] = v;
    }

    /// <summary>Every name given, with its value or null.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> All => _args;
    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>The value given for <paramref name="name"/>, if one was.</summary>
    public bool TryGetValue(string name, out string value)
    {
        if (_byName.TryGetValue(name, out var v) && v is not null)
        {
            value = v;
            return true;
        }
        value = "";
        return false;
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public static BuildArgs From(IEnumerable<KeyValuePair<string, string?>> args) => new([.. args]);

    /// <summary>Parses <c>--build-arg</c> values (<c>NAME=value</c> or <c>NAME</c>).</summary>
    public static BuildArgs Parse(IEnumerable<string> values, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var list = new List<KeyValuePair<string, string?>>();
        foreach (var item in values)
        {
            int eq = item.IndexOf('=');
            var name = eq < 0 ? item : item[..eq];
            if (name.Length == 0) throw new BerthException($"invalid --build-arg \"{item}\": expected NAME=value or NAME");
            list.Add(new(name, eq < 0 ? environment(name) : item[(eq + 1)..]));
        }
        return new BuildArgs(list);
    }
}
