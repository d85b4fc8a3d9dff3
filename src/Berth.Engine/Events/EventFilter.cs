namespace Berth.Engine.Events;

/// <summary>docker's event filters: type, event, container, image, label, network, volume. Values of one
/// key are alternatives (OR); different keys must all match (AND).</summary>
public sealed class EventFilter
{
    private readonly List<(string Key, string Value)> _terms = [];

    public static EventFilter Parse(IEnumerable<string> specs)
    {
        var f = new EventFilter();
        foreach (var spec in specs)
        {
            int eq = spec.IndexOf('=');
            if (eq <= 0) throw new BerthException($"bad format of filter (expected name=value): {spec}");
            var key = spec[..eq].ToLowerInvariant();
            if (key is not ("type" or "event" or "container" or "image" or "label" or "network" or "volume"))
                throw new BerthException($"invalid filter '{key}': use type, event, container, image, label, network or volume");
            f._terms.Add((key, spec[(eq + 1)..]));
        }
        return f;
    }

    public bool Matches(BerthEvent e)
    {
        foreach (var group in _terms.GroupBy(t => t.Key))
            if (!group.Any(t => Term(e, t.Key, t.Value))) return false;
        return true;
    }

    private static bool Term(BerthEvent e, string key, string value) => key switch
    {
        "type" => e.Type == value,
        "event" => e.Action == value || e.Action.StartsWith(value + ":", StringComparison.Ordinal),
        "container" => e.Type == "container" && Actor(e, value)
            || e.Type == "network" && e.Attributes.TryGetValue("container", out var c) && (c == value || c.StartsWith(value, StringComparison.Ordinal)),
        "image" => e.Attributes.TryGetValue("image", out var i) && (i == value || i.StartsWith(value + ":", StringComparison.Ordinal)),
        "network" => e.Type == "network" && Actor(e, value),
        "volume" => e.Type == "volume" && Actor(e, value),
        "label" => value.IndexOf('=') is var eq and > 0
            ? e.Attributes.TryGetValue(value[..eq], out var v) && v == value[(eq + 1)..]
            : e.Attributes.ContainsKey(value),
        _ => false,
    };

    private static bool Actor(BerthEvent e, string value) =>
        e.ActorId == value || (value.Length >= 3 && e.ActorId.StartsWith(value, StringComparison.Ordinal))
        || e.Attributes.TryGetValue("name", out var n) && n == value;
}
