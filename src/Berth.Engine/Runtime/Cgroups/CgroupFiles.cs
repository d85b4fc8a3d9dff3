using System.Globalization;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Runtime.Cgroups;

/// <summary>Small reads and writes of cgroup control files, and the removal loop both versions share.</summary>
internal static class CgroupFiles
{
    /// <summary>One write(2) of the value: open, write, close (no FileStream, whose fstat, flock and
    /// buffering cost more than the write itself, a dozen times per container start).</summary>
    public static unsafe void Write(string dir, string file, string value)
    {
        var path = Path.Combine(dir, file);
        int fd = Libc.open(path, Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
        int errno = fd < 0 ? Libc.Errno : 0;
        if (fd >= 0)
        {
            Span<byte> bytes = stackalloc byte[System.Text.Encoding.ASCII.GetByteCount(value)];
            System.Text.Encoding.ASCII.GetBytes(value, bytes);
            fixed (byte* b = bytes)
                if (Libc.write(fd, b, bytes.Length) < 0) errno = Libc.Errno;
            Libc.close(fd);
        }
        if (errno != 0) throw new BerthException($"cannot set {path} to {value}: {Libc.Error(errno)}", BerthException.EngineError);
    }

    /// <summary>The file's text, or null when it cannot be read (the cgroup is gone).</summary>
    public static string? Read(string path) => Fds.ReadText(path);

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
