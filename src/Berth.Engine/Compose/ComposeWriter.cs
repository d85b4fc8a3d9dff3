using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Berth.Engine.Compose;

/// <summary><c>compose config</c>: the resolved model as YAML (interpolated, merged, defaults and paths filled), keys sorted as docker compose prints them.</summary>
public static class ComposeWriter
{
    public static string Write(ComposeProject p)
    {
        var root = new YamlMappingNode { { "name", p.Name } };
        var services = new YamlMappingNode();
        foreach (var s in p.Services.OrderBy(s => s.Name, StringComparer.Ordinal)) services.Add(s.Name, Service(s));
        root.Add("services", services);
        var networks = new YamlMappingNode();
        foreach (var (k, n) in p.Networks.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var m = new YamlMappingNode { { "name", n.Name } };
            if (n.External) m.Add("external", "true");
            if (n.Internal) m.Add("internal", "true");
            if (n.Subnet is not null) m.Add("ipam", new YamlMappingNode { { "config", new YamlSequenceNode(new YamlMappingNode { { "subnet", n.Subnet } }) } });
            if (n.Labels.Count > 0) m.Add("labels", Map(n.Labels));
            networks.Add(k, m);
        }
        root.Add("networks", networks);
        if (p.Volumes.Count > 0)
        {
            var volumes = new YamlMappingNode();
            foreach (var (k, v) in p.Volumes.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                var m = new YamlMappingNode { { "name", v.Name } };
                if (v.External) m.Add("external", "true");
                if (v.Labels.Count > 0) m.Add("labels", Map(v.Labels));
                volumes.Add(k, m);
            }
            root.Add("volumes", volumes);
        }
        var w = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(w, assignAnchors: false);
        var text = w.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static YamlMappingNode Service(ComposeService s)
    {
        var m = new YamlMappingNode();
        void Add(string key, YamlNode? node) { if (node is not null) m.Add(key, node); }
        static YamlNode? Str(string? v) => v is null ? null : new YamlScalarNode(v) { Style = NeedsQuotes(v) ? YamlDotNet.Core.ScalarStyle.DoubleQuoted : YamlDotNet.Core.ScalarStyle.Any };
        static YamlNode? List(IReadOnlyCollection<string>? v) => v is null ? null : new YamlSequenceNode(v.Select(x => Str(x)!));
        if (s.Build is { } b)
        {
            var bm = new YamlMappingNode { { "context", b.Context } };
            if (b.Dockerfile is not null) bm.Add("dockerfile", b.Dockerfile);
            if (b.Target is not null) bm.Add("target", b.Target);
            if (b.Args.Count > 0) bm.Add("args", Map(b.Args));
            m.Add("build", bm);
        }
        if (s.CapAdd.Count > 0) Add("cap_add", List(s.CapAdd));
        if (s.CapDrop.Count > 0) Add("cap_drop", List(s.CapDrop));
        Add("command", List(s.Command));
        Add("container_name", Str(s.ContainerName));
        if (s.DependsOn.Count > 0)
        {
            var d = new YamlMappingNode();
            foreach (var (k, c) in s.DependsOn.OrderBy(e => e.Key, StringComparer.Ordinal)) d.Add(k, new YamlMappingNode { { "condition", c } });
            m.Add("depends_on", d);
        }
        var deploy = new YamlMappingNode { { "replicas", s.Replicas.ToString(CultureInfo.InvariantCulture) } };
        deploy.Add("update_config", new YamlMappingNode { { "parallelism", s.UpdateParallelism.ToString(CultureInfo.InvariantCulture) }, { "order", s.UpdateOrder } });
        m.Add("deploy", deploy);
        if (s.Dns.Count > 0) Add("dns", List(s.Dns));
        if (s.DnsSearch.Count > 0) Add("dns_search", List(s.DnsSearch));
        if (s.DnsOptions.Count > 0) Add("dns_opt", List(s.DnsOptions));
        if (s.ExtraHosts.Count > 0) Add("extra_hosts", List(s.ExtraHosts));
        Add("entrypoint", List(s.Entrypoint));
        if (s.Environment.Count > 0)
        {
            var env = new YamlMappingNode();
            foreach (var e in s.Environment.OrderBy(e => e, StringComparer.Ordinal))
            {
                int eq = e.IndexOf('=');
                env.Add(e[..eq], Str(e[(eq + 1)..])!);
            }
            m.Add("environment", env);
        }
        if (s.Expose.Count > 0) Add("expose", List(s.Expose));
        if (s.Healthcheck is { } h)
        {
            var hm = new YamlMappingNode { { "test", List(h.Test)! } };
            if (h.Interval is { } i) hm.Add("interval", Duration(i));
            if (h.Timeout is { } t) hm.Add("timeout", Duration(t));
            if (h.StartPeriod is { } sp) hm.Add("start_period", Duration(sp));
            if (h.StartInterval is { } si) hm.Add("start_interval", Duration(si));
            if (h.Retries is { } r) hm.Add("retries", r.ToString(CultureInfo.InvariantCulture));
            m.Add("healthcheck", hm);
        }
        Add("hostname", Str(s.Hostname));
        Add("image", Str(s.Image));
        if (s.Init) m.Add("init", "true");
        if (s.Labels.Count > 0) m.Add("labels", Map(s.Labels));
        Add("network_mode", Str(s.NetworkMode));
        if (s.NetworkMode is null)
        {
            var nets = new YamlMappingNode();
            var keys = s.Networks.Count > 0 ? s.Networks : new Dictionary<string, List<string>> { [ComposeProject.DefaultNetwork] = [] };
            foreach (var (k, aliases) in keys.OrderBy(e => e.Key, StringComparer.Ordinal))
                nets.Add(k, aliases.Count > 0 ? new YamlMappingNode { { "aliases", List(aliases)! } } : new YamlScalarNode(null));
            m.Add("networks", nets);
        }
        if (s.Ports.Count > 0)
            m.Add("ports", new YamlSequenceNode(s.Ports.Select(p =>
            {
                var pm = new YamlMappingNode { { "mode", "ingress" } };
                if (p.HostIp.Length > 0) pm.Add("host_ip", p.HostIp);
                pm.Add("target", p.Target.ToString(CultureInfo.InvariantCulture));
                if (p.Published > 0) pm.Add("published", Str(p.Published.ToString(CultureInfo.InvariantCulture))!);
                pm.Add("protocol", p.Protocol);
                return (YamlNode)pm;
            })));
        if (s.Privileged) m.Add("privileged", "true");
        if (s.ReadOnly) m.Add("read_only", "true");
        if (s.Restart != "no") m.Add("restart", s.Restart);
        if (s.StdinOpen) m.Add("stdin_open", "true");
        if (s.StopGracePeriodSeconds is { } g) m.Add("stop_grace_period", g + "s");
        Add("stop_signal", Str(s.StopSignal));
        if (s.Tmpfs.Count > 0) Add("tmpfs", List(s.Tmpfs));
        if (s.Tty) m.Add("tty", "true");
        Add("user", Str(s.User));
        if (s.Volumes.Count > 0)
            m.Add("volumes", new YamlSequenceNode(s.Volumes.Select(v =>
            {
                var vm = new YamlMappingNode { { "type", v.Type } };
                if (v.Source.Length > 0) vm.Add("source", v.Source);
                vm.Add("target", v.Target);
                if (v.ReadOnly) vm.Add("read_only", "true");
                return (YamlNode)vm;
            })));
        Add("working_dir", Str(s.WorkingDir));
        return m;
    }

    private static YamlMappingNode Map(Dictionary<string, string> d)
    {
        var m = new YamlMappingNode();
        foreach (var (k, v) in d.OrderBy(e => e.Key, StringComparer.Ordinal))
            m.Add(k, new YamlScalarNode(v) { Style = NeedsQuotes(v) ? YamlDotNet.Core.ScalarStyle.DoubleQuoted : YamlDotNet.Core.ScalarStyle.Any });
        return m;
    }

    /// <summary>Values YAML would read back as something else (numbers, booleans, null) are quoted.</summary>
    private static bool NeedsQuotes(string v) =>
        v.Length == 0 || double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ||
        v.ToLowerInvariant() is "true" or "false" or "yes" or "no" or "on" or "off" or "null" or "~" or "y" or "n";

    private static string Duration(TimeSpan t) =>
        t.TotalMilliseconds % 1000 == 0 ? $"{(long)t.TotalSeconds}s" : $"{(long)t.TotalMilliseconds}ms";
}
