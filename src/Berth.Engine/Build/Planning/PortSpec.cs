using System.Globalization;
using Berth.Engine.Build.Dockerfile;

namespace Berth.Engine.Build.Planning;

/// <summary>EXPOSE's port syntax: <c>80</c>, <c>80/udp</c>, <c>7000-7002/tcp</c>, normalised to <c>80/tcp</c> each.</summary>
internal static class PortSpec
{
    public static List<string> Normalize(IEnumerable<string> specs)
    {
        var ports = new List<string>();
        foreach (var spec in specs)
        {
            int slash = spec.IndexOf('/');
            var port = slash < 0 ? spec : spec[..slash];
            var proto = slash < 0 ? "tcp" : spec[(slash + 1)..].ToLowerInvariant();
            if (proto is not ("tcp" or "udp" or "sctp"))
                throw new InstructionValueException($"invalid proto \"{proto}\" in EXPOSE {spec}: use tcp, udp or sctp");
            int dash = port.IndexOf('-');
            var (lo, hi) = dash < 0 ? (Number(port, spec), Number(port, spec)) : (Number(port[..dash], spec), Number(port[(dash + 1)..], spec));
            if (hi < lo) throw new InstructionValueException($"invalid port range {port} in EXPOSE: the end is below the start");
            for (int p = lo; p <= hi; p++) ports.Add(p.ToString(CultureInfo.InvariantCulture) + "/" + proto);
        }
        return ports;
    }

    private static int Number(string text, string spec)
    {
        if (text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit) && int.Parse(text, CultureInfo.InvariantCulture) is var n && n <= 65535) return n;
        throw new InstructionValueException($"invalid port \"{spec}\" in EXPOSE: use <port>[/tcp|udp|sctp] or <from>-<to>[/proto], ports 0-65535");
    }
}
