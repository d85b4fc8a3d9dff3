using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Containers;

/// <summary>
/// A state root with the busybox image imported as <c>bb:1</c>, for container tests. Disposal removes
/// every container (rm -f), kills any process still started from this root (monitors, payloads),
/// removes the containers' cgroups, unmounts and deletes the root, then checks nothing was left.
/// </summary>
public sealed class ContainerRoot : IDisposable
{
    public const string Image = "bb:1";
    private readonly TempRoot _root = new();
    private readonly HashSet<string> _ids = [];

    public ContainerRoot()
    {
        Run("import", BusyboxRootfs.Tar, Image).AssertOk();
    }

    public string Path => _root.Path;

    public string File(string name) => _root.File(name);

    public RunResult Run(params string[] args)
    {
        var r = _root.Run(args);
        Remember(r.Stdout);
        return r;
    }

    public RunResult RunWithInput(string stdin, params string[] args)
    {
        var r = _root.RunWithInput(stdin, args);
        Remember(r.Stdout);
        return r;
    }

    /// <summary>Runs <paramref name="run"/> until <paramref name="done"/> holds (30 s at most); returns the last result.</summary>
    public static RunResult Eventually(Func<RunResult> run, Func<RunResult, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        for (;;)
        {
            var r = run();
            if (done(r) || DateTime.UtcNow > deadline) return r;
            Thread.Sleep(100);
        }
    }

    /// <summary>Starts a detached container and returns its ID.</summary>
    public string Detached(params string[] args)
    {
        var r = Run(["run", "-d", "--network", "none", .. args]).AssertOk();
        return r.Stdout.Trim();
    }

    private void Remember(string stdout)
    {
        foreach (var word in stdout.Split((char[])['\n', ' '], StringSplitOptions.RemoveEmptyEntries))
            if (word.Length == 64 && word.All(char.IsAsciiHexDigitLower)) lock (_ids) _ids.Add(word);
    }

    public static IEnumerable<string> CgroupDirs(string id) =>
        Directory.EnumerateDirectories("/sys/fs/cgroup").Select(h => System.IO.Path.Combine(h, "berth", id)).Where(Directory.Exists);

    public static IEnumerable<int> ProcessesUsing(string root)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            string cmdline;
            try { cmdline = System.IO.File.ReadAllText(System.IO.Path.Combine(dir, "cmdline")).Replace('\0', ' '); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (cmdline.Contains(root, StringComparison.Ordinal)) yield return pid;
        }
    }

    public void Dispose()
    {
        try
        {
            var ids = _root.Run("ps", "-aq", "--no-trunc").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (ids.Length > 0) _root.Run(["rm", "-f", "-v", .. ids]);
            foreach (var id in ids) lock (_ids) _ids.Add(id);
        }
        finally
        {
            foreach (var pid in ProcessesUsing(_root.Path)) Shell.Run("kill", "-9", pid.ToString());
            foreach (var id in _ids)
                foreach (var dir in CgroupDirs(id))
                    Shell.Run("rmdir", dir);
            _root.Dispose();
        }
    }

    /// <summary>What a test must leave: no process started from the root, no cgroup, no mount.</summary>
    public void AssertNothingLeft()
    {
        Assert.Empty(ProcessesUsing(_root.Path));
        foreach (var id in _ids) Assert.Empty(CgroupDirs(id));
        Assert.Empty(Cleanup.MountsUnder(_root.Path));
    }
}
