using System.Globalization;
using System.Text;
using Berth.Engine.Util;

namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// One <c>RUN --mount=type=...,target=...</c>: bind (default), cache, tmpfs, secret or ssh, with
/// BuildKit's keys and defaults (bind and secret read-only, cache and tmpfs writable).
/// </summary>
public sealed record RunMount
{
    public static readonly IReadOnlyList<string> Types = ["bind", "cache", "tmpfs", "secret", "ssh"];
    private static readonly string[] Keys =
        ["type", "from", "source", "target", "readonly", "id", "sharing", "required", "size", "mode", "uid", "gid", "src", "dst", "destination", "ro", "rw", "readwrite", "env"];

    public string Type { get; init; } = "bind";
    /// <summary>Stage name, stage index or image the mount reads from (null: the build context).</summary>
    public string? From { get; init; }
    public string? Source { get; init; }
    public string? Target { get; init; }
    public bool ReadOnly { get; init; }
    /// <summary>tmpfs size in bytes.</summary>
    public long? SizeLimit { get; init; }
    /// <summary>cache or secret id.</summary>
    public string? Id { get; init; }
    /// <summary>cache sharing: shared, private or locked.</summary>
    public string? Sharing { get; init; }
    public bool Required { get; init; }
    public string? Env { get; init; }
    public uint? Mode { get; init; }
    public uint? Uid { get; init; }
    public uint? Gid { get; init; }

    /// <summary>
    /// Parses a mount spec, expanding each value with <paramref name="expand"/>. Throws
    /// <see cref="InstructionValueException"/> for an invalid spec.
    /// </summary>
    public static RunMount Parse(string spec, Func<string, string> expand)
    {
        var m = new RunMount();
        bool roAuto = true;
        foreach (var field in CsvFields(spec))
        {
            int eq = field.IndexOf('=');
            var key = (eq < 0 ? field : field[..eq]).ToLowerInvariant();
            if (eq < 0)
            {
                switch (key)
                {
                    case "readonly" or "ro": m = m with { ReadOnly = true }; roAuto = false; continue;
                    case "readwrite" or "rw": m = m with { ReadOnly = false }; roAuto = false; continue;
                    case "required":
                        if (m.Type is not ("secret" or "ssh")) throw Bad($"unexpected key '{key}' for mount type '{m.Type}'");
                        m = m with { Required = true };
                        continue;
                    default: throw Bad($"invalid field '{field}' must be a key=value pair");
                }
            }
            var value = expand(field[(eq + 1)..]);
            switch (key)
            {
                case "type":
                    var type = value.ToLowerInvariant();
                    if (!Types.Contains(type)) throw Bad($"unsupported mount type \"{value}\"" + Hint(value, Types));
                    m = m with { Type = type };
                    break;
                case "from": m = m with { From = value }; break;
                case "source" or "src": m = m with { Source = value }; break;
                case "target" or "dst" or "destination": m = m with { Target = value }; break;
                case "readonly" or "ro": m = m with { ReadOnly = ParseBool(key, value) }; roAuto = false; break;
                case "readwrite" or "rw": m = m with { ReadOnly = !ParseBool(key, value) }; roAuto = false; break;
                case "required":
                    if (m.Type is not ("secret" or "ssh")) throw Bad($"unexpected key '{key}' for mount type '{m.Type}'");
                    m = m with { Required = ParseBool(key, value) };
                    break;
                case "size":
                    if (m.Type != "tmpfs") throw Bad($"unexpected key '{key}' for mount type '{m.Type}'");
                    try { m = m with { SizeLimit = Units.ParseRamSize(value) }; }
                    catch (BerthException) { throw Bad($"invalid value for {key}: {value}"); }
                    break;
                case "id": m = m with { Id = value }; break;
                case "sharing":
                    var sharing = value.ToLowerInvariant();
                    string[] modes = ["shared", "private", "locked"];
                    if (!modes.Contains(sharing)) throw Bad($"unsupported sharing value \"{value}\"" + Hint(value, modes));
                    m = m with { Sharing = sharing };
                    break;
                case "mode":
                    m = m with { Mode = ParseOctal(value) ?? throw Bad($"invalid value {value} for mode") };
                    break;
                case "uid" or "gid":
                    if (!uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) throw Bad($"invalid value {value} for {key}");
                    m = key == "uid" ? m with { Uid = id } : m with { Gid = id };
                    break;
                case "env": m = m with { Env = value }; break;
                default:
                    throw Bad($"unexpected key '{key}' in '{field}'" + Hint(key, Keys));
            }
        }

        if (m.Type is not ("secret" or "ssh" or "cache"))
        {
            if (m.Mode is not null) throw Bad($"mode not allowed for \"{m.Type}\" type mounts");
            if (m.Uid is not null) throw Bad($"uid not allowed for \"{m.Type}\" type mounts");
            if (m.Gid is not null) throw Bad($"gid not allowed for \"{m.Type}\" type mounts");
        }
        if (roAuto) m = m with { ReadOnly = m.Type is not ("cache" or "tmpfs") };
        if (m.Type == "secret")
        {
            if (m.From is not null) throw Bad("secret mount should not have a from");
            if (m.Sharing is not null) throw Bad("secret mount should not define sharing");
            if (m.Source is null && m.Target is null && m.Id is null) throw Bad("invalid secret mount. one of source, target required");
            if (m.Source is not null && m.Id is not null) throw Bad("both source and id can't be set");
        }
        if (m.Sharing is not null && m.Type != "cache") throw Bad($"invalid cache sharing set for {m.Type} mount");
        return m;
    }

    /// <summary>
    /// What can be checked before expansion: the CSV itself and <c>from=</c>, which takes no variables
    /// (BuildKit resolves stage dependencies before any expansion).
    /// </summary>
    internal static void CheckUnexpanded(string spec)
    {
        foreach (var field in CsvFields(spec))
        {
            int eq = field.IndexOf('=');
            if (eq < 0 || !field[..eq].Equals("from", StringComparison.OrdinalIgnoreCase)) continue;
            var value = field[(eq + 1)..];
            int dollar = value.IndexOf('$');
            if (dollar >= 0 && dollar != value.Length - 1)
                throw Bad("'from' doesn't support variable expansion, define alias stage instead");
        }
    }

    /// <summary>The <c>from=</c> value as written, if any (for stage dependencies).</summary>
    internal static string? RawFrom(string spec)
    {
        string? from = null;
        foreach (var field in CsvFields(spec))
        {
            int eq = field.IndexOf('=');
            if (eq >= 0 && field[..eq].Equals("from", StringComparison.OrdinalIgnoreCase)) from = field[(eq + 1)..];
        }
        return from;
    }

    private static uint? ParseOctal(string value)
    {
        if (value.Length == 0) return null;
        ulong n = 0;
        foreach (var c in value)
        {
            if (c is < '0' or > '7') return null;
            n = n * 8 + (ulong)(c - '0');
            if (n > uint.MaxValue) return null;
        }
        return (uint)n;
    }

    private static bool ParseBool(string key, string value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw Bad($"invalid value for {key}: {value}"),
    };

    private static string Hint(string value, IEnumerable<string> options) =>
        Suggestions.Closest(value, options, caseSensitive: true) is { } s ? $" (did you mean {s}?)" : "";

    private static InstructionValueException Bad(string reason) => new(reason);

    /// <summary>One CSV record: fields split at commas, <c>"..."</c> quoting with <c>""</c> for a quote.</summary>
    private static List<string> CsvFields(string spec)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        int i = 0;
        while (true)
        {
            sb.Clear();
            if (i < spec.Length && spec[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= spec.Length) throw Bad($"failed to parse csv mounts: extraneous or missing \" in quoted-field of {spec}");
                    if (spec[i] == '"')
                    {
                        if (i + 1 < spec.Length && spec[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(spec[i++]);
                }
                if (i < spec.Length && spec[i] != ',') throw Bad($"failed to parse csv mounts: extraneous or missing \" in quoted-field of {spec}");
            }
            else
            {
                while (i < spec.Length && spec[i] != ',')
                {
                    if (spec[i] == '"') throw Bad($"failed to parse csv mounts: bare \" in non-quoted-field of {spec}");
                    sb.Append(spec[i++]);
                }
            }
            fields.Add(sb.ToString());
            if (i >= spec.Length) break;
            i++; // the comma
        }
        return fields;
    }
}
