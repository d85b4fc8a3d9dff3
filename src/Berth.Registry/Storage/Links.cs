using Berth.Engine.Oci;
using Berth.Engine.Util;

namespace Berth.Registry.Storage;

/// <summary>Small files that say "this repository has that": created atomically, listed by digest.</summary>
internal static class Links
{
    public static void Write(string path, string content = "")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, content);
    }

    public static string? Read(string path)
    {
        try { return File.ReadAllText(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    public static bool Delete(string path)
    {
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    /// <summary>The digests linked under a <c>&lt;alg&gt;/&lt;hex&gt;</c> directory.</summary>
    public static IEnumerable<Digest> List(string dir)
    {
        if (!Directory.Exists(dir)) yield break;
        foreach (var algDir in new DirectoryInfo(dir).EnumerateDirectories())
            foreach (var f in algDir.EnumerateFiles())
                if (RegistryPaths.TryDigestOf(algDir.Name, f.Name, out var d))
                    yield return d;
    }
}
