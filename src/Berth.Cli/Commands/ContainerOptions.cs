using System.Globalization;
using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Containers;
using Berth.Engine.Util;

namespace Berth.Cli.Commands;

/// <summary>The flags <c>run</c> and <c>create</c> share, and their translation to <see cref="CreateOptions"/>.</summary>
internal static class ContainerOptions
{
    public static readonly OptionSpec[] Create =
    [
        OptionSpec.Value("name", "Assign a name to the container"),
        OptionSpec.Flag("interactive", 'i', "Keep STDIN open even if not attached"),
        OptionSpec.Flag("tty", 't', "Allocate a pseudo-TTY"),
        OptionSpec.List("env", 'e', "Set environment variables"),
        OptionSpec.List("env-file", "Read in a file of environment variables"),
        OptionSpec.Value("workdir", 'w', "Working directory inside the container"),
        OptionSpec.Value("user", 'u', "Username or UID (format: <name|uid>[:<group|gid>])"),
        OptionSpec.Value("hostname", 'h', "Container host name"),
        OptionSpec.Value("entrypoint", "Overwrite the default ENTRYPOINT of the image"),
        OptionSpec.List("volume", 'v', "Bind mount a volume"),
        OptionSpec.List("mount", "Attach a filesystem mount to the container"),
        OptionSpec.List("tmpfs", "Mount a tmpfs directory"),
        OptionSpec.Flag("read-only", "Mount the container's root filesystem as read only"),
        OptionSpec.Value("memory", 'm', "Memory limit", "bytes"),
        OptionSpec.Value("memory-swap", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", "bytes"),
        OptionSpec.Value("cpus", "Number of CPUs", "decimal"),
        OptionSpec.Value("pids-limit", "Tune container pids limit (set -1 for unlimited)", "int"),
        OptionSpec.List("cap-add", "Add Linux capabilities"),
        OptionSpec.List("cap-drop", "Drop Linux capabilities"),
        OptionSpec.Flag("privileged", "Give extended privileges to this container"),
        OptionSpec.Value("network", "Connect a container to a network (bridge, host, none, or a network's name)", "network", "\"bridge\""),
        OptionSpec.List("network-alias", "Add network-scoped alias for the container"),
        OptionSpec.Value("ip", "IPv4 address (e.g., 172.30.100.104)"),
        OptionSpec.List("publish", 'p', "Publish a container's port(s) to the host"),
        OptionSpec.Flag("publish-all", 'P', "Publish all exposed ports to random ports"),
        OptionSpec.List("expose", "Expose a port or a range of ports"),
        OptionSpec.List("dns", "Set custom DNS servers"),
        OptionSpec.List("dns-search", "Set custom DNS search domains (\".\" for none)"),
        OptionSpec.List("dns-option", "Set DNS options"),
        OptionSpec.List("dns-opt", "Set DNS options") with { Hidden = true },
        OptionSpec.List("add-host", "Add a custom host-to-IP mapping (host:ip)"),
        OptionSpec.Value("net", "Connect a container to a network") with { Hidden = true },
        OptionSpec.List("label", 'l', "Set meta data on a container"),
        OptionSpec.Value("stop-signal", "Signal to stop the container"),
        OptionSpec.Value("stop-timeout", "Timeout (in seconds) to stop a container", "int"),
        OptionSpec.Value("restart", "Restart policy to apply when a container exits", "string", "\"no\""),
        OptionSpec.Flag("rm", "Automatically remove the container when it exits"),
        OptionSpec.Value("runtime", "Runtime to use for this container (berth, crun, runc or a path)"),
        OptionSpec.Flag("init", "Run an init inside the container that forwards signals and reaps processes"),
        OptionSpec.Value("shm-size", "Size of /dev/shm", "bytes"),
        OptionSpec.List("attach", 'a', "Attach to STDIN, STDOUT or STDERR"),
        OptionSpec.Value("pull", "Pull image before running (\"always\", \"missing\", \"never\")", "string", "\"missing\""),
        OptionSpec.Value("platform", "Set platform if server is multi-platform capable"),
        OptionSpec.Flag("sig-proxy", "Proxy received signals to the process (default true)") with { Hidden = true },
        OptionSpec.Value("detach-keys", "Override the key sequence for detaching a container") with { Hidden = true },
        OptionSpec.Value("log-driver", "Logging driver for the container (json-file only)") with { Hidden = true },
        OptionSpec.Value("health-cmd", "Command to run to check health"),
        OptionSpec.Value("health-interval", "Time between running the check (ms|s|m|h) (default 0s)", "duration"),
        OptionSpec.Value("health-timeout", "Maximum time to allow one check to run (ms|s|m|h) (default 0s)", "duration"),
        OptionSpec.Value("health-start-period", "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)", "duration"),
        OptionSpec.Value("health-start-interval", "Time between running the check during the start period (ms|s|m|h) (default 0s)", "duration"),
        OptionSpec.Value("health-retries", "Consecutive failures needed to report unhealthy", "int"),
        OptionSpec.Flag("no-healthcheck", "Disable any container-specified HEALTHCHECK"),
    ];

    /// <summary>docker's --pull: fetch the image first when it is missing (default), always, or never.</summary>
    public static void EnsureImage(CliContext ctx, ParsedArgs a, string image)
    {
        switch (a.Value("pull", "missing"))
        {
            case "missing": PullCommand.EnsureImage(ctx, image); break;
            case "always": PullCommand.EnsureImage(ctx, image, always: true); break;
            case "never": break;
            case var v: throw new UsageException($"invalid pull option: '{v}': must be one of \"always\", \"missing\" or \"never\"", null);
        }
    }

    public static CreateOptions Parse(ParsedArgs a)
    {
        string path = a.CommandPath;
        var mounts = new List<MountSpec>();
        foreach (var v in a.Values("volume")) mounts.Add(ParseVolume(v, path));
        foreach (var spec in a.Values("mount")) mounts.Add(ParseMount(spec, path));
        foreach (var t in a.Values("tmpfs")) mounts.Add(ParseTmpfs(t));
        if (a.Value("log-driver") is { } ld && ld is not ("json-file" or "local"))
            throw new UsageException($"logging driver \"{ld}\" is not supported: berth keeps json-file logs", path);
        return new CreateOptions
        {
            Image = a.Arg(0),
            Args = a.Args.Skip(1).ToList(),
            Name = a.Value("name"),
            Entrypoint = a.Value("entrypoint"),
            Env = ReadEnv(a),
            WorkingDir = a.Value("workdir"),
            User = a.Value("user"),
            Hostname = a.Value("hostname"),
            StopSignal = a.Value("stop-signal"),
            StopTimeout = a.Value("stop-timeout") is { } st ? Int(st, "--stop-timeout", path) : null,
            Labels = Labels(a.Values("label")),
            Tty = a.Flag("tty"),
            OpenStdin = a.Flag("interactive"),
            Init = a.Flag("init"),
            ReadonlyRootfs = a.Flag("read-only"),
            Privileged = a.Flag("privileged"),
            AutoRemove = a.Flag("rm"),
            Mounts = mounts,
            Memory = a.Value("memory") is { } m ? Size(m, "-m, --memory", path) : 0,
            MemorySwap = a.Value("memory-swap") is { } ms ? (ms == "-1" ? -1 : Size(ms, "--memory-swap", path)) : 0,
            NanoCpus = a.Value("cpus") is { } c ? Cpus(c, path) : 0,
            PidsLimit = a.Value("pids-limit") is { } pl ? Int(pl, "--pids-limit", path) : null,
            CapAdd = [.. a.Values("cap-add")],
            CapDrop = [.. a.Values("cap-drop")],
            NetworkMode = a.Value("network") ?? a.Value("net") ?? "bridge",
            NetworkAliases = [.. a.Values("network-alias")],
            Ip = a.Value("ip"),
            Ports = a.Values("publish").SelectMany(Engine.Networking.Ports.PortBinding.Parse).ToList(),
            PublishAll = a.Flag("publish-all"),
            Expose = a.Values("expose").SelectMany(Expose).ToList(),
            Dns = [.. a.Values("dns").Select(d => System.Net.IPAddress.TryParse(d, out _) ? d : throw new UsageException($"invalid argument \"{d}\" for \"--dns\" flag: {d} is not an ip address", path))],
            DnsSearch = [.. a.Values("dns-search").Select(d => d.Length > 0 && !d.Any(char.IsWhiteSpace) ? d : throw new UsageException($"invalid argument \"{d}\" for \"--dns-search\" flag: {d} is not a valid domain", path))],
            DnsOptions = [.. a.Values("dns-option"), .. a.Values("dns-opt")],
            ExtraHosts = [.. a.Values("add-host").Select(h => Berth.Engine.Networking.ExtraHosts.Parse(h, out var why) ?? throw new UsageException($"invalid argument \"{h}\" for \"--add-host\" flag: {why}", path))],
            RestartPolicy = a.Value("restart") is { } r ? Wrap(() => RestartPolicy.Parse(r), path) : new RestartPolicy(),
            Runtime = a.Value("runtime") ?? "berth",
            ShmSize = a.Value("shm-size") is { } shm ? Size(shm, "--shm-size", path) : null,
            Healthcheck = Healthcheck(a, path),
        };
    }

    /// <summary>docker's --health-* flags: a check over the image's (zero fields inherit it), or --no-healthcheck.</summary>
    private static Engine.Oci.HealthConfig? Healthcheck(ParsedArgs a, string path)
    {
        if (a.Flag("no-healthcheck"))
        {
            if (a.Value("health-cmd") is not null) throw new UsageException("--no-healthcheck conflicts with --health-* options", path);
            return new Engine.Oci.HealthConfig { Test = ["NONE"] };
        }
        long? Ns(string flag) => a.Value(flag) is { } d ? Wrap(() => Engine.Deploy.Health.HealthSettings.Nanoseconds(Units.ParseDuration(d)), path) : null;
        var h = new Engine.Oci.HealthConfig
        {
            Test = a.Value("health-cmd") is { } cmd ? ["CMD-SHELL", cmd] : null,
            Interval = Ns("health-interval"),
            Timeout = Ns("health-timeout"),
            StartPeriod = Ns("health-start-period"),
            StartInterval = Ns("health-start-interval"),
            Retries = a.Value("health-retries") is { } r ? Int(r, "--health-retries", path) : null,
        };
        return h == new Engine.Oci.HealthConfig() ? null : h;
    }

    /// <summary>--expose 80, 80/udp, 8000-8002/tcp: entries of the form 80/tcp.</summary>
    private static List<string> Expose(string spec)
    {
        var bindings = Engine.Networking.Ports.PortBinding.Parse(spec);
        if (spec.Contains(':')) throw new BerthException($"invalid port spec '{spec}': --expose takes container ports only");
        return bindings.Select(b => b.Key).ToList();
    }

    private static T Wrap<T>(Func<T> f, string path)
    {
        try { return f(); }
        catch (BerthException e) { throw new UsageException(e.Message, path); }
    }

    private static long Size(string v, string flag, string path)
    {
        try { return Units.ParseRamSize(v); }
        catch (BerthException e) { throw new UsageException($"invalid argument \"{v}\" for \"{flag}\" flag: {e.Message}", path); }
    }

    private static int Int(string v, string flag, string path) =>
        int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
            : throw new UsageException($"invalid argument \"{v}\" for \"{flag}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax", path);

    private static long Cpus(string v, string path)
    {
        if (!decimal.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var cpus) || cpus < 0)
            throw new UsageException($"invalid argument \"{v}\" for \"--cpus\" flag: failed to parse {v} as a rational number", path);
        if (cpus > Environment.ProcessorCount)
            throw new BerthException($"range of CPUs is from 0.01 to {Environment.ProcessorCount}.00, as there are only {Environment.ProcessorCount} CPUs available");
        return (long)(cpus * 1_000_000_000m);
    }

    /// <summary>-e KEY=VALUE, -e KEY (taken from our environment when set), and --env-file lines.</summary>
    public static List<string> ReadEnv(ParsedArgs a)
    {
        var env = new List<string>();
        foreach (var file in a.Values("env-file"))
        {
            string[] lines;
            try { lines = File.ReadAllLines(file); }
            catch (IOException) { throw new BerthException($"open {file}: no such file or directory"); }
            foreach (var raw in lines)
            {
                var line = raw.TrimStart();
                if (line.Length == 0 || line.StartsWith('#')) continue;
                AddEnv(env, line);
            }
        }
        foreach (var e in a.Values("env")) AddEnv(env, e);
        return env;
    }

    private static void AddEnv(List<string> env, string entry)
    {
        int eq = entry.IndexOf('=');
        if (eq == 0) throw new BerthException($"invalid environment variable: {entry}");
        if (eq > 0) { env.Add(entry); return; }
        if (Environment.GetEnvironmentVariable(entry) is { } value) env.Add(entry + "=" + value);
    }

    private static Dictionary<string, string> Labels(IEnumerable<string> labels)
    {
        var d = new Dictionary<string, string>();
        foreach (var l in labels)
        {
            int eq = l.IndexOf('=');
            d[eq < 0 ? l : l[..eq]] = eq < 0 ? "" : l[(eq + 1)..];
        }
        return d;
    }

    /// <summary>-v HOST:CTR[:ro], -v NAME:CTR[:ro], -v CTR (an anonymous volume).</summary>
    internal static MountSpec ParseVolume(string spec, string path)
    {
        var parts = spec.Split(':');
        string? source = null, target, options = "";
        switch (parts.Length)
        {
            case 1: target = parts[0]; break;
            case 2 when parts[1].StartsWith('/'): source = parts[0]; target = parts[1]; break;
            case 2: target = parts[0]; options = parts[1]; break;
            case 3: source = parts[0]; target = parts[1]; options = parts[2]; break;
            default: throw new UsageException($"invalid volume specification: '{spec}'", path);
        }
        if (!target.StartsWith('/')) throw new UsageException($"invalid volume specification: '{spec}': mount path must be absolute", path);
        bool ro = false;
        string propagation = "";
        foreach (var o in options.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (o)
            {
                case "ro": ro = true; break;
                case "rw": ro = false; break;
                case "z" or "Z" or "nocopy" or "copy" or "consistent" or "cached" or "delegated": break;
                case "private" or "rprivate" or "shared" or "rshared" or "slave" or "rslave": propagation = "r" + o.TrimStart('r'); break;
                default: throw new UsageException($"invalid volume specification: '{spec}': unknown option {o}", path);
            }
        }
        if (source is null) return new MountSpec { Type = "volume", Target = target, ReadOnly = ro };
        if (source.StartsWith('/') || source.StartsWith('.'))
            return new MountSpec { Type = "bind", Source = Path.GetFullPath(source), Target = target, ReadOnly = ro, Options = propagation };
        return new MountSpec { Type = "volume", Source = source, Target = target, ReadOnly = ro };
    }

    /// <summary>--mount type=bind|volume|tmpfs,source=...,target=...,readonly,tmpfs-size=...</summary>
    internal static MountSpec ParseMount(string spec, string path)
    {
        string type = "volume", source = "", target = "", options = "";
        bool ro = false;
        foreach (var field in spec.Split(','))
        {
            var kv = field.Split('=', 2);
            var value = kv.Length > 1 ? kv[1] : "";
            switch (kv[0].ToLowerInvariant())
            {
                case "type": type = value; break;
                case "source" or "src": source = value; break;
                case "target" or "destination" or "dst": target = value; break;
                case "readonly" or "ro": ro = value is "" or "true" or "1"; break;
                case "tmpfs-size": options = AppendOpt(options, "size=" + value); break;
                case "tmpfs-mode": options = AppendOpt(options, "mode=" + value); break;
                case "bind-propagation": options = value; break;
                case "volume-nocopy" or "consistency": break;
                default: throw new UsageException($"invalid field '{kv[0]}' must be a key=value pair", path);
            }
        }
        if (type is not ("bind" or "volume" or "tmpfs")) throw new UsageException($"invalid mount type \"{type}\": use bind, volume or tmpfs", path);
        if (target.Length == 0) throw new UsageException("invalid mount config: target is required", path);
        if (type == "bind" && source.Length == 0) throw new UsageException("invalid mount config for type \"bind\": field Source must not be empty", path);
        if (type == "bind") source = Path.GetFullPath(source);
        return new MountSpec { Type = type, Source = source, Target = target, ReadOnly = ro, Options = options };
    }

    private static string AppendOpt(string a, string b) => a.Length == 0 ? b : a + "," + b;

    internal static MountSpec ParseTmpfs(string spec)
    {
        int colon = spec.IndexOf(':');
        return new MountSpec
        {
            Type = "tmpfs",
            Target = colon < 0 ? spec : spec[..colon],
            Options = colon < 0 ? "" : spec[(colon + 1)..],
        };
    }
}
