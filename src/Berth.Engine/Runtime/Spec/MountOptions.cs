namespace Berth.Engine.Runtime.Spec;

/// <summary>OCI mount options (<c>ro</c>, <c>nosuid</c>, <c>rbind</c>, <c>rprivate</c>, <c>mode=755</c>...) as
/// mount(2) flags, propagation flags and the filesystem's data string.</summary>
public readonly record struct MountFlags(ulong Flags, ulong Propagation, string Data)
{
    public const ulong RDONLY = 1, NOSUID = 2, NODEV = 4, NOEXEC = 8, SYNCHRONOUS = 16, REMOUNT = 32, MANDLOCK = 64,
        DIRSYNC = 128, NOATIME = 1024, NODIRATIME = 2048, BIND = 4096, REC = 16384, SILENT = 32768, UNBINDABLE = 1 << 17,
        PRIVATE = 1 << 18, SLAVE = 1 << 19, SHARED = 1 << 20, RELATIME = 1 << 21, STRICTATIME = 1 << 24;

    private static readonly Dictionary<string, (bool Clear, ulong Flag)> s_flags = new()
    {
        ["ro"] = (false, RDONLY), ["rw"] = (true, RDONLY), ["nosuid"] = (false, NOSUID), ["suid"] = (true, NOSUID),
        ["nodev"] = (false, NODEV), ["dev"] = (true, NODEV), ["noexec"] = (false, NOEXEC), ["exec"] = (true, NOEXEC),
        ["sync"] = (false, SYNCHRONOUS), ["async"] = (true, SYNCHRONOUS), ["remount"] = (false, REMOUNT),
        ["mand"] = (false, MANDLOCK), ["nomand"] = (true, MANDLOCK), ["dirsync"] = (false, DIRSYNC),
        ["noatime"] = (false, NOATIME), ["atime"] = (true, NOATIME), ["nodiratime"] = (false, NODIRATIME),
        ["diratime"] = (true, NODIRATIME), ["bind"] = (false, BIND), ["rbind"] = (false, BIND | REC),
        ["relatime"] = (false, RELATIME), ["norelatime"] = (true, RELATIME), ["strictatime"] = (false, STRICTATIME),
        ["nostrictatime"] = (true, STRICTATIME), ["silent"] = (false, SILENT), ["loud"] = (true, SILENT),
    };

    private static readonly Dictionary<string, ulong> s_propagation = new()
    {
        ["private"] = PRIVATE, ["rprivate"] = PRIVATE | REC, ["shared"] = SHARED, ["rshared"] = SHARED | REC,
        ["slave"] = SLAVE, ["rslave"] = SLAVE | REC, ["unbindable"] = UNBINDABLE, ["runbindable"] = UNBINDABLE | REC,
    };

    public bool IsBind => (Flags & BIND) != 0;

    public static MountFlags Parse(IEnumerable<string>? options, string? type = null)
    {
        ulong flags = 0, propagation = 0;
        var data = new List<string>();
        foreach (var o in options ?? [])
        {
            if (s_flags.TryGetValue(o, out var f)) flags = f.Clear ? flags & ~f.Flag : flags | f.Flag;
            else if (s_propagation.TryGetValue(o, out var p)) propagation = p;
            else if (o is "tmpcopyup" or "idmap" or "ridmap" or "") { }
            else data.Add(o);
        }
        if (type is "bind" or "rbind") flags |= BIND;
        return new MountFlags(flags, propagation, string.Join(',', data));
    }

    public static ulong ParsePropagation(string? name) =>
        name is null or "" ? 0 : s_propagation.TryGetValue(name, out var p) ? p
            : throw new BerthException($"invalid rootfs propagation: {name}");
}
