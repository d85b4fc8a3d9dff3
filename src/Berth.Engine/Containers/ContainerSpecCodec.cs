using System.Text.Json;

namespace Berth.Engine.Containers;

/// <summary>
/// ContainerSpec as JSON, written and read by hand (Utf8JsonWriter, JsonDocument): every container
/// command reads specs, and under NativeAOT the generated serializer's first use costs milliseconds.
/// Unknown fields are ignored and missing ones take their defaults, so the format can grow.
/// </summary>
public static class ContainerSpecCodec
{
    public static string Write(ContainerSpec s)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("Image", s.Image);
            w.WriteString("ImageId", s.ImageId);
            w.WriteString("Hostname", s.Hostname);
            w.WriteString("Domainname", s.Domainname);
            w.WriteString("User", s.User);
            w.WriteNumber("Uid", s.Uid);
            w.WriteNumber("Gid", s.Gid);
            w.WriteStartArray("AdditionalGids");
            foreach (var g in s.AdditionalGids) w.WriteNumberValue(g);
            w.WriteEndArray();
            Strings(w, "Env", s.Env);
            Strings(w, "Entrypoint", s.Entrypoint);
            Strings(w, "Cmd", s.Cmd);
            w.WriteString("WorkingDir", s.WorkingDir);
            w.WriteStartObject("Labels");
            foreach (var (k, v) in s.Labels) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteString("StopSignal", s.StopSignal);
            if (s.StopTimeout is { } t) w.WriteNumber("StopTimeout", t);
            w.WriteBoolean("Tty", s.Tty);
            w.WriteBoolean("OpenStdin", s.OpenStdin);
            w.WriteBoolean("Init", s.Init);
            w.WriteStartArray("Mounts");
            foreach (var m in s.Mounts)
            {
                w.WriteStartObject();
                w.WriteString("Type", m.Type);
                w.WriteString("Source", m.Source);
                w.WriteString("Target", m.Target);
                w.WriteBoolean("ReadOnly", m.ReadOnly);
                w.WriteBoolean("Anonymous", m.Anonymous);
                w.WriteString("Options", m.Options);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteBoolean("ReadonlyRootfs", s.ReadonlyRootfs);
            w.WriteNumber("Memory", s.Memory);
            w.WriteNumber("MemorySwap", s.MemorySwap);
            w.WriteNumber("NanoCpus", s.NanoCpus);
            if (s.PidsLimit is { } pl) w.WriteNumber("PidsLimit", pl);
            Strings(w, "CapAdd", s.CapAdd);
            Strings(w, "CapDrop", s.CapDrop);
            w.WriteBoolean("Privileged", s.Privileged);
            w.WriteString("NetworkMode", s.NetworkMode);
            if (s.Ports.Count > 0)
            {
                w.WriteStartArray("Ports");
                foreach (var p in s.Ports)
                {
                    w.WriteStartObject();
                    w.WriteString("Protocol", p.Protocol);
                    w.WriteNumber("ContainerPort", p.ContainerPort);
                    w.WriteString("HostIp", p.HostIp);
                    w.WriteNumber("HostPort", p.HostPort);
                    w.WriteNumber("HostPortEnd", p.HostPortEnd);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (s.PublishAll) w.WriteBoolean("PublishAll", true);
            if (s.ExposedPorts.Count > 0) Strings(w, "ExposedPorts", s.ExposedPorts);
            if (s.Dns.Count > 0) Strings(w, "Dns", s.Dns);
            if (s.DnsSearch.Count > 0) Strings(w, "DnsSearch", s.DnsSearch);
            if (s.DnsOptions.Count > 0) Strings(w, "DnsOptions", s.DnsOptions);
            if (s.ExtraHosts.Count > 0) Strings(w, "ExtraHosts", s.ExtraHosts);
            w.WriteStartObject("RestartPolicy");
            w.WriteString("Name", s.RestartPolicy.Name);
            w.WriteNumber("MaximumRetryCount", s.RestartPolicy.MaximumRetryCount);
            w.WriteEndObject();
            w.WriteBoolean("AutoRemove", s.AutoRemove);
            w.WriteString("Runtime", s.Runtime);
            w.WriteNumber("ShmSize", s.ShmSize);
            if (s.Healthcheck is { } h)
            {
                w.WriteStartObject("Healthcheck");
                Strings(w, "Test", h.Test);
                if (h.Interval is { } i) w.WriteNumber("Interval", i);
                if (h.Timeout is { } to) w.WriteNumber("Timeout", to);
                if (h.StartPeriod is { } sp) w.WriteNumber("StartPeriod", sp);
                if (h.StartInterval is { } si) w.WriteNumber("StartInterval", si);
                if (h.Retries is { } rt) w.WriteNumber("Retries", rt);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static ContainerSpec Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        return new ContainerSpec
        {
            Image = Str(r, "Image") ?? "",
            ImageId = Str(r, "ImageId") ?? "",
            Hostname = Str(r, "Hostname") ?? "",
            Domainname = Str(r, "Domainname") ?? "",
            User = Str(r, "User") ?? "",
            Uid = r.TryGetProperty("Uid", out var uid) ? uid.GetUInt32() : 0,
            Gid = r.TryGetProperty("Gid", out var gid) ? gid.GetUInt32() : 0,
            AdditionalGids = r.TryGetProperty("AdditionalGids", out var gids) ? gids.EnumerateArray().Select(e => e.GetUInt32()).ToList() : [],
            Env = Strings(r, "Env") ?? [],
            Entrypoint = Strings(r, "Entrypoint"),
            Cmd = Strings(r, "Cmd"),
            WorkingDir = Str(r, "WorkingDir") ?? "",
            Labels = r.TryGetProperty("Labels", out var labels) && labels.ValueKind == JsonValueKind.Object
                ? labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "") : [],
            StopSignal = Str(r, "StopSignal") ?? "SIGTERM",
            StopTimeout = r.TryGetProperty("StopTimeout", out var st) ? st.GetInt32() : null,
            Tty = Bool(r, "Tty"),
            OpenStdin = Bool(r, "OpenStdin"),
            Init = Bool(r, "Init"),
            Mounts = r.TryGetProperty("Mounts", out var mounts) ? mounts.EnumerateArray().Select(m => new MountSpec
            {
                Type = Str(m, "Type") ?? "bind",
                Source = Str(m, "Source") ?? "",
                Target = Str(m, "Target") ?? "",
                ReadOnly = Bool(m, "ReadOnly"),
                Anonymous = Bool(m, "Anonymous"),
                Options = Str(m, "Options") ?? "",
            }).ToList() : [],
            ReadonlyRootfs = Bool(r, "ReadonlyRootfs"),
            Memory = Long(r, "Memory"),
            MemorySwap = Long(r, "MemorySwap"),
            NanoCpus = Long(r, "NanoCpus"),
            PidsLimit = r.TryGetProperty("PidsLimit", out var pl) ? pl.GetInt64() : null,
            CapAdd = Strings(r, "CapAdd") ?? [],
            CapDrop = Strings(r, "CapDrop") ?? [],
            Privileged = Bool(r, "Privileged"),
            NetworkMode = Str(r, "NetworkMode") ?? "bridge",
            Ports = r.TryGetProperty("Ports", out var ports) ? ports.EnumerateArray().Select(p => new Networking.Ports.PortBinding
            {
                Protocol = Str(p, "Protocol") ?? "tcp",
                ContainerPort = (int)Long(p, "ContainerPort"),
                HostIp = Str(p, "HostIp") ?? "0.0.0.0",
                HostPort = (int)Long(p, "HostPort"),
                HostPortEnd = (int)Long(p, "HostPortEnd"),
            }).ToList() : [],
            PublishAll = Bool(r, "PublishAll"),
            ExposedPorts = Strings(r, "ExposedPorts") ?? [],
            Dns = Strings(r, "Dns") ?? [],
            DnsSearch = Strings(r, "DnsSearch") ?? [],
            DnsOptions = Strings(r, "DnsOptions") ?? [],
            ExtraHosts = Strings(r, "ExtraHosts") ?? [],
            RestartPolicy = r.TryGetProperty("RestartPolicy", out var rp)
                ? new RestartPolicy { Name = Str(rp, "Name") ?? "no", MaximumRetryCount = rp.TryGetProperty("MaximumRetryCount", out var mr) ? mr.GetInt32() : 0 }
                : new RestartPolicy(),
            AutoRemove = Bool(r, "AutoRemove"),
            Runtime = Str(r, "Runtime") ?? "berth",
            ShmSize = r.TryGetProperty("ShmSize", out var shm) ? shm.GetInt64() : 64L << 20,
            Healthcheck = r.TryGetProperty("Healthcheck", out var hc) && hc.ValueKind == JsonValueKind.Object
                ? new Oci.HealthConfig
                {
                    Test = Strings(hc, "Test"),
                    Interval = hc.TryGetProperty("Interval", out var hi) ? hi.GetInt64() : null,
                    Timeout = hc.TryGetProperty("Timeout", out var ht) ? ht.GetInt64() : null,
                    StartPeriod = hc.TryGetProperty("StartPeriod", out var hs) ? hs.GetInt64() : null,
                    StartInterval = hc.TryGetProperty("StartInterval", out var hsi) ? hsi.GetInt64() : null,
                    Retries = hc.TryGetProperty("Retries", out var hr) ? hr.GetInt32() : null,
                }
                : null,
        };
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool Bool(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static long Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;

    private static List<string>? Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : null;

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string>? values)
    {
        if (values is null) { w.WriteNull(name); return; }
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
