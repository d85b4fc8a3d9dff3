using System.Globalization;

namespace Berth.Engine.Networking.Dns;

/// <summary>Where a state root's DNS server keeps its pid (with start time, so a reused pid is not taken
/// for it), its control socket and the lock its starters take: <c>network/dns.*</c>.</summary>
internal sealed class DnsPaths(string rootPath)
{
    public string Dir { get; } = Path.Combine(rootPath, "network");
    public string Pid => Path.Combine(Dir, "dns.pid");
    public string Socket => Path.Combine(Dir, "dns.sock");
    public string Lock => Path.Combine(Dir, "dns.lock");

    public (int Pid, long Start)? ReadPid()
    {
        try
        {
            var parts = File.ReadAllText(Pid).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var start)
                ? (pid, start) : null;
        }
        catch (IOException) { return null; }
    }

    /// <summary>The running server's pid, or null (a stale pid file is ignored).</summary>
    public int? RunningPid() =>
        ReadPid() is { } p && Runtime.Interop.ChildProcess.IsAlive(p.Pid, p.Start) ? p.Pid : null;
}
