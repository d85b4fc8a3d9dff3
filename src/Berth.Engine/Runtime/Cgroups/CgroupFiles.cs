using System.Globalization;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Runtime.Cgroups;

/// <summary>Small reads and writes of cgroup control files, and the removal loop both versions share.</summary>
internal static class CgroupFiles
{
    public static void Write(string dir, string file, string value)
    {
        var path = Path.Combine(dir, file);
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            var bytes = System.Text.Encoding.ASCII.GetBytes(value);
            fs.Write(bytes);
        }
        catch (IOException e)
        {
            throw new BerthException($"cannot set {path} to {value}: {e.Message}", BerthException.EngineError);
        }
    }

    public static string? Read(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public static long ReadLong(string path, long fallback = 0)
    {
        var s = Read(path)?.Trim();
        if (s is null) return fallback;
        if (s == "max") return long.MaxValue;
        return long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }

    /// <summary>The value of <paramref name="key"/> in a "key value" file such as memory.stat.</summary>
    public static long KeyValue(string? text, string key)
    {
        if (text is null) return 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.StartsWith(key) && line.Length > key.Length && line[key.Length] == ' '
                && long.TryParse(line[(key.Length + 1)..].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                return v;
        }
        return 0;
    }

    public static List<int> Procs(string dir)
    {
        var list = new List<int>();
        var text = Read(Path.Combine(dir, "cgroup.procs"));
        if (text is null) return list;
        foreach (var line in text.AsSpan().EnumerateLines())
            if (int.TryParse(line, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)) list.Add(pid);
        return list;
    }

    /// <summary>rmdir, killing stragglers first; a cgroup empties asynchronously after its last process dies.</summary>
    public static void RemoveDir(string dir)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            if (Libc.rmdir(dir) == 0) return;
            int errno = Libc.Errno;
            if (errno == Libc.ENOENT) return;
            if (errno != Libc.EBUSY) throw new BerthException($"cannot remove cgroup {dir}: {Libc.Error(errno)}", BerthException.EngineError);
            foreach (var pid in Procs(dir)) Libc.kill(pid, 9);
            Thread.Sleep(attempt < 20 ? 1 : 10);
        }
        throw new BerthException($"cannot remove cgroup {dir}: processes remain in it", BerthException.EngineError);
    }

    public static long HostMemory()
    {
        foreach (var line in (Read("/proc/meminfo") ?? "").Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && parts[0] == "MemTotal:" && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var kb)) return kb * 1024;
        }
        return 0;
    }
}
