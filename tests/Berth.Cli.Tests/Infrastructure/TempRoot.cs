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

    public void Dispose() => Cleanup.RemoveTree(Path);
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

    public static IEnumerable<string> MountsUnder(string path) =>
        System.IO.File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4].Replace("\\040", " "))
            .Where(m => m == path || m.StartsWith(path + "/", StringComparison.Ordinal))
            .ToList();
}
