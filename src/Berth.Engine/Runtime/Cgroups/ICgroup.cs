using Berth.Engine.Runtime.Spec;

namespace Berth.Engine.Runtime.Cgroups;

/// <summary>Creates and opens a container's cgroups; v1 (a hierarchy per controller) and v2 behind one face.</summary>
public interface ICgroupDriver
{
    /// <summary>"v1" or "v2".</summary>
    string Version { get; }

    /// <summary>Makes the cgroup <paramref name="name"/> (e.g. <c>berth/&lt;id&gt;</c>) and applies the limits.</summary>
    ICgroup Create(string name, SpecResources? resources);

    ICgroup Open(string name);
}

/// <summary>One container's cgroup (in every hierarchy, on v1).</summary>
public interface ICgroup
{
    string Name { get; }

    /// <summary>The files a single-threaded process writes "0" into to join (the stage does, before it clones).</summary>
    IReadOnlyList<string> ProcsFiles { get; }

    bool Exists { get; }

    /// <summary>True once the kernel's OOM killer has killed a process of this cgroup.</summary>
    bool OomKilled { get; }

    CgroupStats Stats();

    IReadOnlyList<int> Pids();

    /// <summary>SIGKILLs whatever is left in it, then removes it; quiet when it is already gone.</summary>
    void Remove();
}

/// <summary>Numbers for <c>berth stats</c>: bytes, nanoseconds, counts.</summary>
public sealed record CgroupStats(long MemoryUsage, long MemoryLimit, long CpuUsageNanos, long Pids, long PidsLimit, long BlockRead, long BlockWrite);
