namespace Berth.Cli.Tests.Infrastructure;

/// <summary>
/// A fresh state root for one test. Disposal unmounts whatever is still mounted below it and
/// removes it, so a failing test leaves nothing behind.
/// </summary>
public sealed class TempRoot : IDisposable
{
    public TempRoot()
    {
        Path = Directory.CreateTempSubdirectory("berth-test-").FullName;
    }

    public string Path { get; }

    public RunResult Run(params string[] args) => BerthBinary.Run(Path, args);

    public RunResult RunWithInput(string stdin, params string[] args) => BerthBinary.RunWith(Path, stdin, null, args);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        Cleanup.RemoveNetworkState(Path);
        Cleanup.RemoveTree(Path);
    }
}

public static class Cleanup
{
    /// <summary>Unmounts (lazily, deepest first) every mount under <paramref name="path"/>, then deletes it.</summary>
    public static void RemoveTree(string path)
    {
        foreach (var m in MountsUnder(path).OrderByDescending(m => m.Length))
            Shell.Run("umount", "-l", m);
        try { Directory.Delete(path, recursive: true); }
        catch (IOException) { Shell.Run("rm", "-rf", path); }
        catch (UnauthorizedAccessException) { Shell.Run("rm", "-rf", path); }
    }

    /// <summary>Deletes the bridges berth labelled as <paramref name="root"/>'s ("berth-network ID ROOT") and, when
    /// there were any, the root's nft table (the engine's naming rule): every container on the default bridge
    /// brings both up, and they outlive the containers as docker0 does.</summary>
    public static void RemoveNetworkState(string root)
    {
        var bridges = BridgesOf(root);
        foreach (var bridge in bridges) Shell.Run("ip", "link", "delete", bridge);
        if (bridges.Count > 0) Shell.Run("nft", "delete", "table", "ip", NftTableOf(root));
    }

    public static List<string> BridgesOf(string root) =>
        Directory.EnumerateDirectories("/sys/class/net")
            .Where(d => System.IO.File.Exists(System.IO.Path.Combine(d, "ifalias")) && System.IO.File.ReadAllText(System.IO.Path.Combine(d, "ifalias")).Trim().EndsWith(" " + root, StringComparison.Ordinal))
            .Select(d => System.IO.Path.GetFileName(d)).ToList();

    public static string NftTableOf(string root) =>
        "berth_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(root.TrimEnd('/'))))[..10];

    public static IEnumerable<string> MountsUnder(string path) =>
        System.IO.File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4].Replace("\\040", " "))
            .Where(m => m == path || m.StartsWith(path + "/", StringComparison.Ordinal))
            .ToList();
}
