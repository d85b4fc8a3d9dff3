using System.Text.Json;

namespace Berth.Engine.Runtime.Spec;

/// <summary>
/// Writes config.json with Utf8JsonWriter directly. Under NativeAOT the source-generated serializer
/// still builds its type metadata at first use (about 3 ms for this type graph), which is most of a
/// container start's budget; this writer is what <c>run</c> uses. Reading stays with the generated code.
/// </summary>
public static class RuntimeSpecWriter
{
    public static byte[] Serialize(RuntimeSpec s)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("ociVersion", s.OciVersion);
            if (s.Process is { } p) { w.WritePropertyName("process"); Process(w, p); }
            if (s.Root is { } r)
            {
                w.WriteStartObject("root");
                w.WriteString("path", r.Path);
                w.WriteBoolean("readonly", r.Readonly);
                w.WriteEndObject();
            }
            Str(w, "hostname", s.Hostname);
            Str(w, "domainname", s.Domainname);
            if (s.Mounts is { } mounts)
            {
                w.WriteStartArray("mounts");
                foreach (var m in mounts)
                {
                    w.WriteStartObject();
                    w.WriteString("destination", m.Destination);
                    Str(w, "type", m.Type);
                    Str(w, "source", m.Source);
                    Strings(w, "options", m.Options);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (s.Annotations is { } a) Map(w, "annotations", a);
            if (s.Linux is { } l) { w.WritePropertyName("linux"); Linux(w, l); }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void Process(Utf8JsonWriter w, SpecProcess p)
    {
        w.WriteStartObject();
        w.WriteBoolean("terminal", p.Terminal);
        if (p.ConsoleSize is { } cs)
        {
            w.WriteStartObject("consoleSize");
            w.WriteNumber("height", cs.Height);
            w.WriteNumber("width", cs.Width);
            w.WriteEndObject();
        }
        w.WriteStartObject("user");
        w.WriteNumber("uid", p.User.Uid);
        w.WriteNumber("gid", p.User.Gid);
        if (p.User.Umask is { } umask) w.WriteNumber("umask", umask);
        if (p.User.AdditionalGids is { } gids)
        {
            w.WriteStartArray("additionalGids");
            foreach (var g in gids) w.WriteNumberValue(g);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        Strings(w, "args", p.Args);
        Strings(w, "env", p.Env);
        w.WriteString("cwd", p.Cwd);
        if (p.Capabilities is { } c)
        {
            w.WriteStartObject("capabilities");
            Strings(w, "bounding", c.Bounding);
            Strings(w, "effective", c.Effective);
            Strings(w, "inheritable", c.Inheritable);
            Strings(w, "permitted", c.Permitted);
            Strings(w, "ambient", c.Ambient);
            w.WriteEndObject();
        }
        if (p.Rlimits is { } rl)
        {
            w.WriteStartArray("rlimits");
            foreach (var r in rl)
            {
                w.WriteStartObject();
                w.WriteString("type", r.Type);
                w.WriteNumber("hard", r.Hard);
                w.WriteNumber("soft", r.Soft);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteBoolean("noNewPrivileges", p.NoNewPrivileges);
        if (p.OomScoreAdj is { } oom) w.WriteNumber("oomScoreAdj", oom);
        w.WriteEndObject();
    }

    private static void Linux(Utf8JsonWriter w, SpecLinux l)
    {
        w.WriteStartObject();
        if (l.Sysctl is { } sysctl) Map(w, "sysctl", sysctl);
        if (l.Resources is { } r)
        {
            w.WriteStartObject("resources");
            if (r.Devices is { } devices)
            {
                w.WriteStartArray("devices");
                foreach (var d in devices)
                {
                    w.WriteStartObject();
                    w.WriteBoolean("allow", d.Allow);
                    Str(w, "type", d.Type);
                    if (d.Major is { } major) w.WriteNumber("major", major);
                    if (d.Minor is { } minor) w.WriteNumber("minor", minor);
                    Str(w, "access", d.Access);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (r.Memory is { } m)
            {
                w.WriteStartObject("memory");
                if (m.Limit is { } limit) w.WriteNumber("limit", limit);
                if (m.Reservation is { } res) w.WriteNumber("reservation", res);
                if (m.Swap is { } swap) w.WriteNumber("swap", swap);
                w.WriteEndObject();
            }
            if (r.Cpu is { } cpu)
            {
                w.WriteStartObject("cpu");
                if (cpu.Shares is { } shares) w.WriteNumber("shares", shares);
                if (cpu.Quota is { } quota) w.WriteNumber("quota", quota);
                if (cpu.Period is { } period) w.WriteNumber("period", period);
                Str(w, "cpus", cpu.Cpus);
                Str(w, "mems", cpu.Mems);
                w.WriteEndObject();
            }
            if (r.Pids is { } pids)
            {
                w.WriteStartObject("pids");
                w.WriteNumber("limit", pids.Limit);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        Str(w, "cgroupsPath", l.CgroupsPath);
        if (l.Namespaces is { } ns)
        {
            w.WriteStartArray("namespaces");
            foreach (var n in ns)
            {
                w.WriteStartObject();
                w.WriteString("type", n.Type);
                Str(w, "path", n.Path);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (l.Devices is { } devs)
        {
            w.WriteStartArray("devices");
            foreach (var d in devs)
            {
                w.WriteStartObject();
                w.WriteString("path", d.Path);
                w.WriteString("type", d.Type);
                w.WriteNumber("major", d.Major);
                w.WriteNumber("minor", d.Minor);
                if (d.FileMode is { } mode) w.WriteNumber("fileMode", mode);
                if (d.Uid is { } uid) w.WriteNumber("uid", uid);
                if (d.Gid is { } gid) w.WriteNumber("gid", gid);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        Str(w, "rootfsPropagation", l.RootfsPropagation);
        Strings(w, "maskedPaths", l.MaskedPaths);
        Strings(w, "readonlyPaths", l.ReadonlyPaths);
        w.WriteEndObject();
    }

    private static void Str(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string>? values)
    {
        if (values is null) return;
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void Map(Utf8JsonWriter w, string name, Dictionary<string, string> map)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in map) w.WriteString(k, v);
        w.WriteEndObject();
    }
}
