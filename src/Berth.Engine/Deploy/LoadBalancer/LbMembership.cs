using System.Globalization;
using System.Text;

namespace Berth.Engine.Deploy.LoadBalancer;

/// <summary>A host address and port the balancer listens on, and the port of the replicas it forwards to.</summary>
public sealed record LbListener(string HostIp, int HostPort, int TargetPort)
{
    public string Address => HostIp.Length == 0 ? "0.0.0.0" : HostIp;
}

/// <summary>A replica the balancer may send new connections to.</summary>
public sealed record LbBackend(string Id, string Address);

/// <summary>
/// The file a deploy writes and the balancer reads (polling its generation): where to listen and which
/// replicas take new connections. Written atomically, so the balancer never sees half of it.
/// </summary>
public sealed record LbMembership(long Generation, IReadOnlyList<LbListener> Listeners, IReadOnlyList<LbBackend> Backends)
{
    public const string FileName = "members";

    public string Format()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"generation {Generation}\n");
        foreach (var l in Listeners) sb.Append(CultureInfo.InvariantCulture, $"listen {l.Address} {l.HostPort} {l.TargetPort}\n");
        foreach (var b in Backends) sb.Append(CultureInfo.InvariantCulture, $"backend {b.Id} {b.Address}\n");
        return sb.ToString();
    }

    public static LbMembership Parse(string text)
    {
        long generation = 0;
        var listeners = new List<LbListener>();
        var backends = new List<LbBackend>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ');
            switch (f[0])
            {
                case "generation": generation = long.Parse(f[1], CultureInfo.InvariantCulture); break;
                case "listen": listeners.Add(new LbListener(f[1], int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture))); break;
                case "backend": backends.Add(new LbBackend(f[1], f[2])); break;
            }
        }
        return new LbMembership(generation, listeners, backends);
    }

    public static LbMembership? Read(string dir)
    {
        try { return Parse(File.ReadAllText(Path.Combine(dir, FileName))); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    public void Write(string dir)
    {
        Directory.CreateDirectory(dir);
        Util.AtomicFile.WriteAllText(Path.Combine(dir, FileName), Format());
    }
}

/// <summary>What the balancer reports back: the generation it applies and the open connections per replica.</summary>
public sealed record LbStatus(long Generation, IReadOnlyDictionary<string, int> Active)
{
    public const string FileName = "status";

    public static LbStatus? Read(string dir)
    {
        string text;
        try { text = File.ReadAllText(Path.Combine(dir, FileName)); }
        catch (IOException) { return null; }
        long generation = -1;
        var active = new Dictionary<string, int>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ');
            if (f[0] == "generation") generation = long.Parse(f[1], CultureInfo.InvariantCulture);
            else if (f[0] == "active") active[f[1]] = int.Parse(f[2], CultureInfo.InvariantCulture);
        }
        return new LbStatus(generation, active);
    }

    public void Write(string dir)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"generation {Generation}\n");
        foreach (var (id, n) in Active) sb.Append(CultureInfo.InvariantCulture, $"active {id} {n}\n");
        Util.AtomicFile.WriteAllText(Path.Combine(dir, FileName), sb.ToString());
    }
}
