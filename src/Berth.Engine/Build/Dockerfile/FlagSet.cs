namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// The <c>--name=value</c> flags one instruction accepts, and their parsed values. Booleans take
/// <c>--link</c> or <c>--link=true|false</c>; strings need a value; string lists may repeat.
/// </summary>
internal sealed class FlagSet
{
    private enum Kind { Bool, String, Strings }

    private readonly string _keyword;
    private readonly Dictionary<string, Kind> _kinds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public FlagSet(string keyword) => _keyword = keyword;

    public FlagSet Bool(string name) { _kinds[name] = Kind.Bool; return this; }
    public FlagSet String(string name) { _kinds[name] = Kind.String; return this; }
    public FlagSet Strings(string name) { _kinds[name] = Kind.Strings; return this; }

    /// <summary>Parses <paramref name="flags"/>; returns the reason when they are not acceptable.</summary>
    public string? Parse(IReadOnlyList<string> flags)
    {
        foreach (var flag in flags)
        {
            if (flag == "--") return null;
            if (!flag.StartsWith("--", StringComparison.Ordinal)) return $"arg should start with -- : {flag}";
            int eq = flag.IndexOf('=');
            var flagName = eq < 0 ? flag : flag[..eq];
            var name = flagName[2..];
            var value = eq < 0 ? null : flag[(eq + 1)..];
            if (!_kinds.TryGetValue(name, out var kind)) return Unknown(flagName, name);
            if (_values.ContainsKey(name) && kind != Kind.Strings) return $"duplicate flag specified: {flagName}: give it once";
            var list = _values.TryGetValue(name, out var l) ? l : _values[name] = [];
            switch (kind)
            {
                case Kind.Bool:
                    if (value is { Length: 0 }) return $"missing a value on flag: {flagName}: write {flagName} or {flagName}=true|false";
                    switch (value?.ToLowerInvariant())
                    {
                        case null or "true": list.Add("true"); break;
                        case "false": list.Add("false"); break;
                        default: return $"expecting boolean value for flag {flagName}, not: {value}";
                    }
                    break;
                default:
                    if (value is null) return $"missing a value on flag: {flagName}: write {flagName}=<value>";
                    list.Add(value);
                    break;
            }
        }
        return null;
    }

    private string Unknown(string flagName, string name)
    {
        if (_kinds.Count == 0) return $"unknown flag: {flagName} ({_keyword} takes no flags)";
        var suggestion = Suggestions.Closest(name, _kinds.Keys, caseSensitive: true);
        return suggestion is null
            ? $"unknown flag: {flagName} ({_keyword} accepts {string.Join(", ", _kinds.Keys.Select(k => "--" + k))})"
            : $"unknown flag: {flagName} (did you mean --{suggestion}?)";
    }

    public bool IsSet(string name) => _values.ContainsKey(name);
    public bool GetBool(string name) => _values.TryGetValue(name, out var v) && v[^1] == "true";
    public bool? GetOptionalBool(string name) => _values.TryGetValue(name, out var v) ? v[^1] == "true" : null;
    public string? GetString(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;
    public IReadOnlyList<string> GetStrings(string name) => _values.TryGetValue(name, out var v) ? v : [];
}
