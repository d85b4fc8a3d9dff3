namespace Berth.Cli.CommandLine;

/// <summary>The options and arguments a command was given.</summary>
public sealed class ParsedArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public ParsedArgs(string commandPath, IReadOnlyList<string> args)
    {
        CommandPath = commandPath;
        Args = args;
    }

    /// <summary>"berth image ls": what help and errors call the command.</summary>
    public string CommandPath { get; }
    public IReadOnlyList<string> Args { get; internal set; }

    internal void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list)) _values[name] = list = [];
        list.Add(value);
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public bool Flag(string name) =>
        _values.TryGetValue(name, out var v) && v[^1] is not ("false" or "0");

    public string? Value(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    public string Value(string name, string @default) => Value(name) ?? @default;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var v) ? v : [];

    public int? Int(string name)
    {
        var v = Value(name);
        if (v is null) return null;
        return int.TryParse(v, out var n) ? n : throw new UsageException($"invalid argument \"{v}\" for \"--{name}\" flag: expected an integer");
    }

    public string Arg(int index) => Args[index];
}
