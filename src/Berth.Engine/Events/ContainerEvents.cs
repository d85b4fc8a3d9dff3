using Berth.Engine.Containers;

namespace Berth.Engine.Events;

/// <summary>Container events with docker's attributes: image, name, the container's labels, and extras
/// (exitCode for die, signal for kill, oldName for rename).</summary>
public static class ContainerEvents
{
    public static void Container(this EventLog log, string action, Container c, params (string Key, string Value)[] extra)
    {
        var attrs = new List<KeyValuePair<string, string>>(c.Spec.Labels);
        attrs.Add(new("image", c.Spec.Image));
        attrs.Add(new("name", c.Name));
        foreach (var (k, v) in extra) attrs.Add(new(k, v));
        log.Append("container", action, c.Id, attrs);
    }
}
