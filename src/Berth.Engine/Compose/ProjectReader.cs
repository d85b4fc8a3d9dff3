using YamlDotNet.RepresentationModel;

namespace Berth.Engine.Compose;

/// <summary>Turns the merged YAML of a project into the model, key by key, checking shapes and references.</summary>
internal sealed class ProjectReader(YamlNodes y, string project, string dir, Func<string, string?> lookup)
{
    private static readonly HashSet<string> s_ignoredTop = ["version", "name", "secrets", "configs"];

    private static readonly HashSet<string> s_unsupportedService =
    [
        "logging", "ulimits", "sysctls", "security_opt", "pid", "ipc", "devices", "mem_limit",
        "cpus", "shm_size", "platform", "pull_policy", "profiles", "secrets", "configs", "links", "external_links",
        "domainname", "mac_address", "cgroup_parent", "oom_score_adj", "isolation", "scale_policy", "develop",
    ];

    public ComposeProject Read(YamlMappingNode root)
    {
        var networks = new Dictionary<string, ComposeNetwork>();
        var volumes = new Dictionary<string, ComposeVolume>();
        YamlNode? servicesNode = null;
        foreach (var (key, value, keyNode) in y.Entries(root, ""))
        {
            switch (key)
            {
                case "services": servicesNode = value; break;
                case "networks": foreach (var (k, v, _) in y.Entries(value, "networks")) networks[k] = Network(k, v); break;
                case "volumes": foreach (var (k, v, _) in y.Entries(value, "volumes")) volumes[k] = Volume(k, v); break;
                default:
                    if (!s_ignoredTop.Contains(key) && !key.StartsWith("x-", StringComparison.Ordinal)) y.Warn(keyNode, key, "unknown top-level key, ignored");
                    else if (key is "secrets" or "configs") y.Warn(keyNode, key, "not supported, ignored");
                    break;
            }
        }
        if (servicesNode is null) throw y.Error(root, "", "no services: a compose file needs a services: mapping");
        var services = new List<ComposeService>();
        foreach (var (name, value, keyNode) in y.Entries(servicesNode, "services"))
        {
            if (!ComposeLoader.IsServiceName(name)) throw y.Error(keyNode, "services", $"invalid service name \"{name}\": use letters, digits, '.', '_' and '-'");
            services.Add(Service(name, value, networks, volumes));
        }
        if (services.Count == 0) throw y.Error(servicesNode, "services", "no services defined");
        networks.TryAdd(ComposeProject.DefaultNetwork, new ComposeNetwork { Name = project + "_default" });
        CheckDependencies(services, servicesNode);
        return new ComposeProject
        {
            Name = project, WorkingDir = dir, Services = Ordered(services), Networks = networks, Volumes = volumes, Warnings = y.Warnings,
        };
    }

    private ComposeNetwork Network(string key, YamlNode node)
    {
        string path = "networks." + key;
        string? name = null;
        bool external = false, isInternal = false;
        string driver = "bridge";
        string? subnet = null;
        var labels = new Dictionary<string, string>();
        foreach (var (k, v, kn) in y.Entries(node, path))
        {
            switch (k)
            {
                case "name": name = y.String(v, path + ".name"); break;
                case "external": external = v is YamlMappingNode ? true : y.Bool(v, path + ".external"); break;
                case "internal": isInternal = y.Bool(v, path + ".internal"); break;
                case "driver":
                    driver = y.String(v, path + ".driver");
                    if (driver != "bridge") throw y.Error(v, path + ".driver", $"network driver {driver} is not supported: berth has bridge networks");
                    break;
                case "labels": foreach (var (lk, lv) in y.Pairs(v, path + ".labels")) labels[lk] = lv ?? ""; break;
                case "ipam":
                    foreach (var cfg in y.Entries(v, path + ".ipam").Where(e => e.Key == "config").SelectMany(e => y.Items(e.Value, path + ".ipam.config")))
                        foreach (var (ck, cv, _) in y.Entries(cfg, path + ".ipam.config"))
                            if (ck == "subnet") subnet = y.String(cv, path + ".ipam.config.subnet");
                    break;
                case "driver_opts" or "attachable" or "enable_ipv6":
                    y.Warn(kn, path + "." + k, "not supported, ignored");
                    break;
                default: UnknownKey(kn, path, k); break;
            }
        }
        return new ComposeNetwork
        {
            Name = name ?? (external ? key : project + "_" + key), External = external, Internal = isInternal, Driver = driver, Subnet = subnet, Labels = labels,
        };
    }

    private ComposeVolume Volume(string key, YamlNode node)
    {
        string path = "volumes." + key;
        string? name = null;
        bool external = false;
        var labels = new Dictionary<string, string>();
        foreach (var (k, v, kn) in y.Entries(node, path))
        {
            switch (k)
            {
                case "name": name = y.String(v, path + ".name"); break;
                case "external": external = v is YamlMappingNode ? true : y.Bool(v, path + ".external"); break;
                case "labels": foreach (var (lk, lv) in y.Pairs(v, path + ".labels")) labels[lk] = lv ?? ""; break;
                case "driver" or "driver_opts": y.Warn(kn, path + "." + k, "not supported, ignored (local volumes only)"); break;
                default: UnknownKey(kn, path, k); break;
            }
        }
        return new ComposeVolume { Name = name ?? (external ? key : project + "_" + key), External = external, Labels = labels };
    }

    /// <summary>extra_hosts: a list of <c>name:address</c> (or <c>name=address</c>), or a mapping of name to address.</summary>
    private List<string> ExtraHostsOf(YamlNode node, string path)
    {
        var entries = node is YamlSequenceNode
            ? y.Items(node, path).Select((n, i) => (Node: n, Path: $"{path}[{i}]", Text: y.String(n, $"{path}[{i}]")))
            : y.Entries(node, path).Select(e => (Node: e.Value, Path: path + "." + e.Key, Text: e.Key + ":" + y.String(e.Value, path + "." + e.Key)));
        return entries.Select(e => Networking.ExtraHosts.Parse(e.Text, out var why) ?? throw y.Error(e.Node, e.Path, why!)).ToList();
    }

    private void UnknownKey(YamlNode keyNode, string path, string key)
    {
        if (!key.StartsWith("x-", StringComparison.Ordinal)) y.Warn(keyNode, path + "." + key, "unknown key, ignored");
    }

    private ComposeService Service(string name, YamlNode node, Dictionary<string, ComposeNetwork> networks, Dictionary<string, ComposeVolume> volumes)
    {
        string path = "services." + name;
        var s = new ComposeService { Name = name };
        var envFiles = new List<KeyValuePair<string, string?>>();
        var env = new List<KeyValuePair<string, string?>>();
        foreach (var (k, v, kn) in y.Entries(node, path))
        {
            string p = path + "." + k;
            switch (k)
            {
                case "image": s = s with { Image = y.String(v, p) }; break;
                case "build": s = s with { Build = Build(v, p) }; break;
                case "command": s = s with { Command = y.IsNullNode(v) ? null : y.Strings(v, p, split: true) }; break;
                case "entrypoint": s = s with { Entrypoint = y.IsNullNode(v) ? null : y.Strings(v, p, split: true) }; break;
                case "environment": env.AddRange(y.Pairs(v, p).Select(e => e.Value is null ? new(e.Key, lookup(e.Key)) : e)); break;
                case "env_file": foreach (var f in EnvFiles(v, p)) envFiles.AddRange(f); break;
                case "ports": s = s with { Ports = y.Items(v, p).SelectMany((n, i) => Ports(n, $"{p}[{i}]")).ToList() }; break;
                case "expose": s = s with { Expose = y.Strings(v, p) }; break;
                case "volumes": s = s with { Volumes = y.Items(v, p).Select((n, i) => Mount(n, $"{p}[{i}]", volumes)).ToList() }; break;
                case "tmpfs": s = s with { Tmpfs = y.Strings(v, p) }; break;
                case "networks": s = s with { Networks = ServiceNetworks(v, p, networks) }; break;
                case "network_mode":
                    var mode = y.String(v, p);
                    if (mode is not ("host" or "none" or "bridge")) throw y.Error(v, p, $"network_mode {mode} is not supported: use host, none or bridge");
                    s = s with { NetworkMode = mode };
                    break;
                case "depends_on": s = s with { DependsOn = DependsOn(v, p) }; break;
                case "healthcheck": s = s with { Healthcheck = Healthcheck(v, p) }; break;
                case "restart":
                    var policy = y.String(v, p);
                    try { Containers.RestartPolicy.Parse(policy); }
                    catch (BerthException e) { throw y.Error(v, p, e.Message); }
                    s = s with { Restart = policy };
                    break;
                case "scale": s = s with { Replicas = y.Int(v, p) }; break;
                case "deploy": s = Deploy(s, v, p); break;
                case "labels": s = s with { Labels = y.Pairs(v, p).ToDictionary(e => e.Key, e => e.Value ?? "") }; break;
                case "user": s = s with { User = y.String(v, p) }; break;
                case "working_dir": s = s with { WorkingDir = y.String(v, p) }; break;
                case "hostname": s = s with { Hostname = y.String(v, p) }; break;
                case "container_name": s = s with { ContainerName = y.String(v, p) }; break;
                case "stop_signal": s = s with { StopSignal = y.String(v, p) }; break;
                case "stop_grace_period": s = s with { StopGracePeriodSeconds = (int)Math.Ceiling(y.Duration(v, p).TotalSeconds) }; break;
                case "init": s = s with { Init = y.Bool(v, p) }; break;
                case "privileged": s = s with { Privileged = y.Bool(v, p) }; break;
                case "read_only": s = s with { ReadOnly = y.Bool(v, p) }; break;
                case "tty": s = s with { Tty = y.Bool(v, p) }; break;
                case "stdin_open": s = s with { StdinOpen = y.Bool(v, p) }; break;
                case "cap_add": s = s with { CapAdd = y.Strings(v, p) }; break;
                case "cap_drop": s = s with { CapDrop = y.Strings(v, p) }; break;
                case "dns": s = s with { Dns = y.Strings(v, p) }; break;
                case "dns_search": s = s with { DnsSearch = y.Strings(v, p) }; break;
                case "dns_opt": s = s with { DnsOptions = y.Strings(v, p) }; break;
                case "extra_hosts": s = s with { ExtraHosts = ExtraHostsOf(v, p) }; break;
                default:
                    if (s_unsupportedService.Contains(k)) y.Warn(kn, p, "not supported, ignored");
                    else UnknownKey(kn, path, k);
                    break;
            }
        }
        if (s.Image is null && s.Build is null) throw y.Error(node, path, "has neither an image nor a build section");
        if (s.ContainerName is not null && s.Replicas > 1)
            throw y.Error(node, path, $"container_name {s.ContainerName} names one container, but {s.Replicas} replicas are asked for");
        if (s.NetworkMode is not null && s.Networks.Count > 0) throw y.Error(node, path, "network_mode and networks cannot be combined");
        var environment = new List<string>();
        var seen = new Dictionary<string, int>();
        foreach (var (k, v) in envFiles.Concat(env))
        {
            if (v is null) continue;
            if (seen.TryGetValue(k, out var at)) environment[at] = k + "=" + v;
            else { seen[k] = environment.Count; environment.Add(k + "=" + v); }
        }
        return s with { Environment = environment };
    }

    private ComposeBuild Build(YamlNode v, string p)
    {
        if (v is YamlScalarNode) return new ComposeBuild { Context = Path.GetFullPath(y.String(v, p), dir) };
        string context = ".";
        string? dockerfile = null, target = null;
        var args = new Dictionary<string, string>();
        var labels = new Dictionary<string, string>();
        foreach (var (k, bv, kn) in y.Entries(v, p))
        {
            switch (k)
            {
                case "context": context = y.String(bv, p + ".context"); break;
                case "dockerfile": dockerfile = y.String(bv, p + ".dockerfile"); break;
                case "target": target = y.String(bv, p + ".target"); break;
                case "args": foreach (var (ak, av) in y.Pairs(bv, p + ".args")) { var val = av ?? lookup(ak); if (val is not null) args[ak] = val; } break;
                case "labels": foreach (var (lk, lv) in y.Pairs(bv, p + ".labels")) labels[lk] = lv ?? ""; break;
                case "cache_from" or "cache_to" or "network" or "shm_size" or "extra_hosts" or "platforms" or "ssh" or "secrets" or "tags" or "no_cache" or "pull":
                    y.Warn(kn, p + "." + k, "not supported, ignored");
                    break;
                default: UnknownKey(kn, p, k); break;
            }
        }
        return new ComposeBuild { Context = Path.GetFullPath(context, dir), Dockerfile = dockerfile, Target = target, Args = args, Labels = labels };
    }

    private IEnumerable<List<KeyValuePair<string, string?>>> EnvFiles(YamlNode v, string p)
    {
        var items = v is YamlSequenceNode seq ? seq.Children.ToList() : [v];
        for (int i = 0; i < items.Count; i++)
        {
            var n = items[i];
            string? file = null;
            bool required = true;
            if (n is YamlMappingNode)
            {
                foreach (var (k, ev, _) in y.Entries(n, $"{p}[{i}]"))
                    if (k == "path") file = y.String(ev, $"{p}[{i}].path");
                    else if (k == "required") required = y.Bool(ev, $"{p}[{i}].required");
            }
            else file = y.String(n, p);
            if (file is null) throw y.Error(n, p, "an env_file entry needs a path");
            var full = Path.GetFullPath(file, dir);
            if (!File.Exists(full))
            {
                if (!required) continue;
                throw y.Error(n, p, $"env file {full} not found");
            }
            List<KeyValuePair<string, string?>> parsed;
            try { parsed = DotEnv.Parse(File.ReadAllText(full), full, lookup); }
            catch (BerthException e) { throw y.Error(n, p, e.Message); }
            yield return parsed;
        }
    }

    private List<ComposePort> Ports(YamlNode n, string p)
    {
        if (n is YamlMappingNode)
        {
            int target = 0, published = 0;
            string hostIp = "", protocol = "tcp";
            foreach (var (k, v, kn) in y.Entries(n, p))
            {
                switch (k)
                {
                    case "target": target = y.Int(v, p + ".target", 1); break;
                    case "published": published = PortNumber(y.String(v, p + ".published"), v, p + ".published"); break;
                    case "host_ip": hostIp = y.String(v, p + ".host_ip"); break;
                    case "protocol": protocol = y.String(v, p + ".protocol").ToLowerInvariant(); break;
                    case "mode" or "name" or "app_protocol": break;
                    default: UnknownKey(kn, p, k); break;
                }
            }
            if (target == 0) throw y.Error(n, p, "a port needs a target");
            if (protocol is not ("tcp" or "udp")) throw y.Error(n, p, $"invalid protocol {protocol}: use tcp or udp");
            return [new ComposePort { HostIp = hostIp, Published = published, Target = target, Protocol = protocol }];
        }
        var text = y.String(n, p);
        var spec = text;
        var proto = "tcp";
        int slash = spec.LastIndexOf('/');
        if (slash >= 0) { proto = spec[(slash + 1)..].ToLowerInvariant(); spec = spec[..slash]; }
        if (proto is not ("tcp" or "udp")) throw y.Error(n, p, $"invalid port \"{text}\": protocol must be tcp or udp");
        string ip = "", hostPart = "", containerPart;
        if (spec.StartsWith('['))
        {
            int close = spec.IndexOf(']');
            if (close < 0) throw y.Error(n, p, $"invalid port \"{text}\"");
            ip = spec[1..close];
            spec = spec[(close + 1)..].TrimStart(':');
        }
        var parts = spec.Split(':');
        switch (parts.Length)
        {
            case 1: containerPart = parts[0]; break;
            case 2: hostPart = parts[0]; containerPart = parts[1]; break;
            case 3: ip = parts[0]; hostPart = parts[1]; containerPart = parts[2]; break;
            default: throw y.Error(n, p, $"invalid port \"{text}\": use [[IP:]HOST:]CONTAINER[/PROTOCOL]");
        }
        var (cStart, cEnd) = Range(containerPart, n, p, text);
        var (hStart, hEnd) = hostPart.Length == 0 ? (0, 0) : Range(hostPart, n, p, text);
        if (hStart > 0 && hEnd - hStart != cEnd - cStart)
            throw y.Error(n, p, $"invalid port \"{text}\": the host and container ranges differ in length");
        var list = new List<ComposePort>();
        for (int i = 0; i <= cEnd - cStart; i++)
            list.Add(new ComposePort { HostIp = ip, Published = hStart > 0 ? hStart + i : 0, Target = cStart + i, Protocol = proto });
        return list;
    }

    private (int, int) Range(string text, YamlNode n, string p, string whole)
    {
        int dash = text.IndexOf('-');
        if (dash < 0) { int one = PortNumber(text, n, p, whole); return (one, one); }
        int a = PortNumber(text[..dash], n, p, whole), b = PortNumber(text[(dash + 1)..], n, p, whole);
        return b >= a ? (a, b) : throw y.Error(n, p, $"invalid port range \"{whole}\"");
    }

    private int PortNumber(string text, YamlNode n, string p, string? whole = null) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v is > 0 and < 65536
            ? v : throw y.Error(n, p, $"invalid port \"{whole ?? text}\": a port is a number from 1 to 65535");

    private ComposeMount Mount(YamlNode n, string p, Dictionary<string, ComposeVolume> volumes)
    {
        ComposeMount m;
        if (n is YamlMappingNode)
        {
            string type = "volume", source = "", target = "";
            bool ro = false;
            foreach (var (k, v, kn) in y.Entries(n, p))
            {
                switch (k)
                {
                    case "type": type = y.String(v, p + ".type"); break;
                    case "source": source = y.String(v, p + ".source"); break;
                    case "target": target = y.String(v, p + ".target"); break;
                    case "read_only": ro = y.Bool(v, p + ".read_only"); break;
                    case "bind" or "volume" or "tmpfs" or "consistency": break;
                    default: UnknownKey(kn, p, k); break;
                }
            }
            if (type is not ("bind" or "volume" or "tmpfs")) throw y.Error(n, p, $"volume type {type} is not supported: use bind, volume or tmpfs");
            m = new ComposeMount { Type = type, Source = source, Target = target, ReadOnly = ro };
        }
        else
        {
            var text = y.String(n, p);
            var parts = text.Split(':');
            string mode = "";
            if (parts.Length == 1) m = new ComposeMount { Type = "volume", Target = parts[0] };
            else
            {
                if (parts.Length > 3) throw y.Error(n, p, $"invalid volume \"{text}\": use [SOURCE:]TARGET[:ro]");
                if (parts.Length == 3) mode = parts[2];
                var source = parts[0];
                bool bind = source.StartsWith('/') || source.StartsWith('.') || source.StartsWith('~');
                m = new ComposeMount { Type = bind ? "bind" : "volume", Source = source, Target = parts[1] };
                foreach (var opt in mode.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (opt == "ro") m = m with { ReadOnly = true };
                    else if (opt is not ("rw" or "z" or "Z" or "cached" or "delegated" or "consistent" or "nocopy"))
                        throw y.Error(n, p, $"invalid volume \"{text}\": unknown mode {opt}");
                }
            }
        }
        if (!m.Target.StartsWith('/')) throw y.Error(n, p, $"invalid volume target \"{m.Target}\": it must be an absolute path in the container");
        if (m.Type == "bind")
        {
            var src = m.Source.StartsWith('~') ? (System.Environment.GetEnvironmentVariable("HOME") ?? "/root") + m.Source[1..] : m.Source;
            if (src.Length == 0) throw y.Error(n, p, "a bind mount needs a source");
            m = m with { Source = Path.GetFullPath(src, dir) };
        }
        else if (m.Type == "volume" && m.Source.Length > 0 && !volumes.ContainsKey(m.Source))
            throw y.Error(n, p, $"service uses the undefined volume {m.Source}: declare it under the top-level volumes:");
        return m;
    }

    private Dictionary<string, List<string>> ServiceNetworks(YamlNode v, string p, Dictionary<string, ComposeNetwork> networks)
    {
        var result = new Dictionary<string, List<string>>();
        if (v is YamlSequenceNode)
            foreach (var (n, i) in y.Items(v, p).Select((n, i) => (n, i))) result[Known(y.String(n, $"{p}[{i}]"), n)] = [];
        else
            foreach (var (k, nv, kn) in y.Entries(v, p))
            {
                var aliases = new List<string>();
                foreach (var (ok, ov, okn) in y.Entries(nv, p + "." + k))
                {
                    if (ok == "aliases") aliases = y.Strings(ov, p + "." + k + ".aliases");
                    else if (ok is "ipv4_address" or "ipv6_address" or "priority" or "link_local_ips") y.Warn(okn, p + "." + k + "." + ok, "not supported, ignored");
                    else UnknownKey(okn, p + "." + k, ok);
                }
                result[Known(k, kn)] = aliases;
            }
        return result;

        string Known(string name, YamlNode n) =>
            name == ComposeProject.DefaultNetwork || networks.ContainsKey(name) ? name
                : throw y.Error(n, p, $"service refers to the undefined network {name}: declare it under the top-level networks:");
    }

    private Dictionary<string, string> DependsOn(YamlNode v, string p)
    {
        var result = new Dictionary<string, string>();
        if (v is YamlSequenceNode)
        {
            foreach (var n in y.Items(v, p)) result[y.String(n, p)] = "service_started";
            return result;
        }
        foreach (var (k, dv, _) in y.Entries(v, p))
        {
            var condition = "service_started";
            foreach (var (ck, cv, ckn) in y.Entries(dv, p + "." + k))
            {
                if (ck == "condition")
                {
                    condition = y.String(cv, p + "." + k + ".condition");
                    if (condition is not ("service_started" or "service_healthy" or "service_completed_successfully"))
                        throw y.Error(cv, p + "." + k + ".condition", $"invalid condition {condition}: use service_started, service_healthy or service_completed_successfully");
                }
                else if (ck is not ("restart" or "required")) UnknownKey(ckn, p + "." + k, ck);
            }
            result[k] = condition;
        }
        return result;
    }

    private ComposeHealthcheck? Healthcheck(YamlNode v, string p)
    {
        var h = new ComposeHealthcheck();
        bool disable = false;
        foreach (var (k, hv, kn) in y.Entries(v, p))
        {
            string hp = p + "." + k;
            switch (k)
            {
                case "test":
                    if (hv is YamlScalarNode) h = h with { Test = ["CMD-SHELL", y.String(hv, hp)] };
                    else
                    {
                        var test = y.Strings(hv, hp);
                        if (test.Count == 0 || test[0] is not ("CMD" or "CMD-SHELL" or "NONE"))
                            throw y.Error(hv, hp, "a test list starts with CMD, CMD-SHELL or NONE");
                        h = h with { Test = test };
                    }
                    break;
                case "interval": h = h with { Interval = y.Duration(hv, hp) }; break;
                case "timeout": h = h with { Timeout = y.Duration(hv, hp) }; break;
                case "start_period": h = h with { StartPeriod = y.Duration(hv, hp) }; break;
                case "start_interval": h = h with { StartInterval = y.Duration(hv, hp) }; break;
                case "retries": h = h with { Retries = y.Int(hv, hp) }; break;
                case "disable": disable = y.Bool(hv, hp); break;
                default: UnknownKey(kn, p, k); break;
            }
        }
        return disable ? new ComposeHealthcheck { Test = ["NONE"] } : h;
    }

    private ComposeService Deploy(ComposeService s, YamlNode v, string p)
    {
        foreach (var (k, dv, kn) in y.Entries(v, p))
        {
            string dp = p + "." + k;
            switch (k)
            {
                case "replicas": s = s with { Replicas = y.Int(dv, dp) }; break;
                case "update_config" or "rollback_config":
                    foreach (var (uk, uv, ukn) in y.Entries(dv, dp))
                    {
                        if (k == "rollback_config") continue;
                        if (uk == "parallelism") s = s with { UpdateParallelism = Math.Max(1, y.Int(uv, dp + ".parallelism")) };
                        else if (uk == "order")
                        {
                            var order = y.String(uv, dp + ".order");
                            s = order is "start-first" or "stop-first" ? s with { UpdateOrder = order } : throw y.Error(uv, dp + ".order", "order must be start-first or stop-first");
                        }
                        else if (uk is not ("delay" or "failure_action" or "monitor" or "max_failure_ratio")) UnknownKey(ukn, dp, uk);
                    }
                    break;
                case "labels": s = s with { Labels = new Dictionary<string, string>(s.Labels.Concat(y.Pairs(dv, dp).Select(e => new KeyValuePair<string, string>(e.Key, e.Value ?? "")))) }; break;
                case "restart_policy" or "resources" or "placement" or "mode" or "endpoint_mode":
                    y.Warn(kn, dp, "not supported, ignored");
                    break;
                default: UnknownKey(kn, p, k); break;
            }
        }
        return s;
    }

    private void CheckDependencies(List<ComposeService> services, YamlNode servicesNode)
    {
        var names = services.Select(s => s.Name).ToHashSet();
        foreach (var s in services)
            foreach (var d in s.DependsOn.Keys)
                if (!names.Contains(d))
                    throw y.Error(servicesNode, $"services.{s.Name}.depends_on", $"service {s.Name} depends on the undefined service {d}");
    }

    /// <summary>Services in an order that starts each after what it depends on; a cycle is an error.</summary>
    private List<ComposeService> Ordered(List<ComposeService> services)
    {
        var byName = services.ToDictionary(s => s.Name);
        var done = new HashSet<string>();
        var visiting = new HashSet<string>();
        var result = new List<ComposeService>();
        void Visit(ComposeService s)
        {
            if (done.Contains(s.Name)) return;
            if (!visiting.Add(s.Name)) throw new ComposeException($"dependency cycle: {string.Join(" -> ", visiting)} -> {s.Name}");
            foreach (var d in s.DependsOn.Keys.Order(StringComparer.Ordinal)) Visit(byName[d]);
            visiting.Remove(s.Name);
            done.Add(s.Name);
            result.Add(s);
        }
        foreach (var s in services) Visit(s);
        return result;
    }
}
