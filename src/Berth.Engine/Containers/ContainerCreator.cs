using Berth.Engine.Events;
using Berth.Engine.Runtime;
using Berth.Engine.Runtime.Spec;
using Berth.Engine.Snapshots;

namespace Berth.Engine.Containers;

/// <summary>
/// <c>create</c>: applies the image's defaults as docker does, resolves the user, prepares the rootfs
/// snapshot (over a shared init layer holding the mount points, so they never show in <c>diff</c>),
/// writes the bundle and records the container. Anything it made is removed again if a step fails.
/// </summary>
public sealed class ContainerCreator(ContainerService service)
{
    public sealed record Created(Container Container, RuntimeSpec Spec);

    public Created Create(CreateOptions o)
    {
        Validate(o);
        Phases.Mark("create: validated");
        var image = service.Images.Resolve(o.Image);
        Phases.Mark("create: image resolved");
        var cfg = image.Config.Config ?? new Oci.ContainerConfig();
        var id = NameGenerator.NewId();
        var store = service.Store;
        if (o.Name is { } requested && store.NameExists(requested)) throw store.NameInUse(requested);
        var name = o.Name ?? NameGenerator.Next(store.NameExists);
        var paths = service.Paths(id);
        var snapshotKey = "container-" + id;
        var createdVolumes = new List<string>();
        bool snapshotMade = false;
        try
        {
            var initLayer = EnsureInitLayer(service.Snapshots, image.TopSnapshot);
            Phases.Mark("create: init layer found");
            service.Snapshots.Prepare(snapshotKey, initLayer);
            snapshotMade = true;
            Phases.Mark("create: snapshot prepared");
            var layers = new List<string> { service.Snapshots.ChangesDir(snapshotKey) };
            layers.AddRange(service.Snapshots.LowerDirs(snapshotKey));
            Phases.Mark("create: layers listed");

            var userText = o.User ?? cfg.User ?? "";
            var user = UserResolver.Resolve(userText, p => LayeredFiles.ReadText(layers, p));
            var spec = ComposeSpec(o, image, cfg, id, user, userText);
            Phases.Mark("create: user resolved, spec composed");
            spec = spec with { Mounts = ResolveVolumes(spec.Mounts, cfg, createdVolumes) };

            BundleDirectories.Create(paths, service.Root.TmpDir);
            BundleBuilder.WriteEtcFiles(spec, paths);
            var runtimeSpec = BundleBuilder.Build(id, spec, paths, service.Volumes);
            RuntimeSpecFile.Write(paths.Bundle, runtimeSpec, fresh: true);
            Phases.Mark("create: bundle written");
            var container = new Container
            {
                Id = id, Name = name, Spec = spec, Created = DateTimeOffset.UtcNow, State = ContainerState.Created, SnapshotKey = snapshotKey,
            };
            service.Root.Db.InTransaction(() =>
            {
                store.Insert(container);
                service.Network.Register(container, o);
            });
            service.Events.Container("create", container);
            Phases.Mark("create: recorded");
            return new Created(container, runtimeSpec);
        }
        catch
        {
            if (snapshotMade) try { service.Snapshots.Remove(snapshotKey); } catch (BerthException) { }
            foreach (var v in createdVolumes) try { service.Volumes.Remove(v, []); } catch (BerthException) { }
            if (Directory.Exists(paths.Dir)) Directory.Delete(paths.Dir, recursive: true);
            throw;
        }
    }

    private static void Validate(CreateOptions o)
    {
        if (o.Name is not null) NameGenerator.Validate(o.Name);
        if (o.AutoRemove && o.RestartPolicy.Name != "no") throw new BerthException("Conflicting options: --restart and --rm");
        if (o.WorkingDir is { Length: > 0 } w && !w.StartsWith('/'))
            throw new BerthException($"the working directory '{w}' is invalid, it needs to be an absolute path");
        if (o.StopSignal is { } s) Signals.Parse(s);
        foreach (var c in o.CapAdd.Concat(o.CapDrop)) Capabilities.Normalize(c);
        if (o.Memory is > 0 and < 6 * 1024 * 1024) throw new BerthException("Minimum memory limit allowed is 6MB");
        if (o.MemorySwap > 0 && o.Memory > 0 && o.MemorySwap < o.Memory)
            throw new BerthException("Minimum memoryswap limit should be larger than memory limit, see usage");
        foreach (var m in o.Mounts)
        {
            if (!m.Target.StartsWith('/')) throw new BerthException($"invalid mount config: mount path must be absolute: {m.Target}");
            if (m.Target == "/") throw new BerthException("invalid mount config: destination can't be '/'");
            if (m.Type == "bind" && !Path.Exists(m.Source))
                throw new BerthException($"invalid mount config for type \"bind\": bind source path does not exist: {m.Source}");
        }
        var dup = o.Mounts.GroupBy(m => m.Target.TrimEnd('/')).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new BerthException($"Duplicate mount point: {dup.Key}");
    }

    private static ContainerSpec ComposeSpec(CreateOptions o, ContainerImage image, Oci.ContainerConfig cfg, string id, UserResolver.Result user, string userText)
    {
        List<string>? entrypoint;
        List<string>? cmd;
        if (o.EntrypointArgs is not null)
        {
            entrypoint = o.EntrypointArgs.Count > 0 ? o.EntrypointArgs : null;
            cmd = o.Args.Count > 0 ? o.Args : null;
        }
        else if (o.Entrypoint is not null)
        {
            entrypoint = o.Entrypoint.Length > 0 ? [o.Entrypoint] : null;
            cmd = o.Args.Count > 0 ? o.Args : null;
        }
        else
        {
            entrypoint = cfg.Entrypoint is { Count: > 0 } ep ? ep : null;
            cmd = o.Args.Count > 0 ? o.Args : cfg.Cmd is { Count: > 0 } c ? c : null;
        }
        if ((entrypoint?.Count ?? 0) + (cmd?.Count ?? 0) == 0) throw new BerthException("No command specified");

        var labels = new Dictionary<string, string>(cfg.Labels ?? []);
        foreach (var (k, v) in o.Labels) labels[k] = v;
        string hostname = o.Hostname ?? (o.NetworkMode == "host" ? System.Net.Dns.GetHostName() : id[..12]);
        return new ContainerSpec
        {
            Image = o.Image,
            ImageId = image.Id,
            Hostname = hostname,
            User = userText,
            Uid = user.Uid,
            Gid = user.Gid,
            AdditionalGids = user.AdditionalGids,
            Env = MergeEnv(cfg.Env ?? [], o.Env),
            Entrypoint = entrypoint,
            Cmd = cmd,
            WorkingDir = o.WorkingDir ?? cfg.WorkingDir ?? "",
            Labels = labels,
            StopSignal = Signals.Name(Signals.Parse(o.StopSignal ?? cfg.StopSignal ?? "SIGTERM")),
            StopTimeout = o.StopTimeout,
            Tty = o.Tty,
            OpenStdin = o.OpenStdin,
            Init = o.Init,
            Mounts = o.Mounts,
            ReadonlyRootfs = o.ReadonlyRootfs,
            Memory = o.Memory,
            MemorySwap = o.MemorySwap,
            NanoCpus = o.NanoCpus,
            PidsLimit = o.PidsLimit,
            CapAdd = o.CapAdd,
            CapDrop = o.CapDrop,
            Privileged = o.Privileged,
            NetworkMode = o.NetworkMode == "default" ? "bridge" : o.NetworkMode,
            Ports = o.Ports,
            PublishAll = o.PublishAll,
            ExposedPorts = ExposedPorts(cfg, o),
            Dns = o.Dns,
            DnsSearch = o.DnsSearch,
            DnsOptions = o.DnsOptions,
            ExtraHosts = o.ExtraHosts,
            RestartPolicy = o.RestartPolicy,
            AutoRemove = o.AutoRemove,
            Runtime = o.Runtime,
            ShmSize = o.ShmSize ?? 64L << 20,
            Healthcheck = Deploy.Health.HealthSettings.Merge(cfg.Healthcheck, o.Healthcheck),
        };
    }

    /// <summary>The image's EXPOSE entries, --expose, and every published port (docker adds those too), as <c>80/tcp</c>.</summary>
    private static List<string> ExposedPorts(Oci.ContainerConfig cfg, CreateOptions o)
    {
        var list = new List<string>();
        foreach (var e in (cfg.ExposedPorts?.Keys ?? Enumerable.Empty<string>()).Concat(o.Expose))
        {
            var entry = e.Contains('/') ? e.ToLowerInvariant() : e + "/tcp";
            if (!list.Contains(entry)) list.Add(entry);
        }
        foreach (var p in o.Ports)
            if (!list.Contains(p.Key)) list.Add(p.Key);
        return list;
    }

    /// <summary>docker's merge: the image's variables, then the user's, a later KEY replacing an earlier one.</summary>
    public static List<string> MergeEnv(IEnumerable<string> image, IEnumerable<string> user)
    {
        var result = new List<string>();
        var index = new Dictionary<string, int>();
        foreach (var e in image.Concat(user))
        {
            var key = e.Split('=', 2)[0];
            if (index.TryGetValue(key, out var i)) result[i] = e;
            else { index[key] = result.Count; result.Add(e); }
        }
        return result;
    }

    /// <summary>Named volumes are created on first use; anonymous ones (from -v /path or the image's VOLUMEs) get random names.</summary>
    private List<MountSpec> ResolveVolumes(List<MountSpec> mounts, Oci.ContainerConfig cfg, List<string> created)
    {
        var result = new List<MountSpec>();
        foreach (var m in mounts)
        {
            if (m.Type != "volume") { result.Add(m); continue; }
            if (m.Source.Length == 0)
            {
                var v = service.Volumes.Create(null);
                created.Add(v.Name);
                result.Add(m with { Source = v.Name, Anonymous = true });
            }
            else
            {
                if (service.Volumes.Get(m.Source) is null) service.Volumes.Create(m.Source);
                result.Add(m);
            }
        }
        foreach (var path in cfg.Volumes?.Keys ?? Enumerable.Empty<string>())
        {
            var target = "/" + path.Trim('/');
            if (result.Any(m => m.Target.TrimEnd('/') == target)) continue;
            var v = service.Volumes.Create(null);
            created.Add(v.Name);
            result.Add(new MountSpec { Type = "volume", Source = v.Name, Target = target, Anonymous = true });
        }
        return result;
    }

    /// <summary>The committed layer every container of an image shares above the image: the mount points
    /// (/proc, /sys, /dev, /etc/hosts...) exist there, so creating them never touches a container's own layer.</summary>
    public static string EnsureInitLayer(ISnapshotter snapshots, string? top)
    {
        var name = "init:" + (top ?? "scratch");
        if (snapshots.Stat(name) is { Kind: SnapshotKind.Committed }) return name;
        var key = $"init-tmp-{Guid.NewGuid():N}";
        snapshots.Prepare(key, top);
        try
        {
            var fs = snapshots.ChangesDir(key);
            foreach (var d in new[] { "proc", "sys", "dev", "dev/pts", "dev/shm", "dev/mqueue", "etc" })
                Directory.CreateDirectory(Path.Combine(fs, d));
            foreach (var f in new[] { "etc/hosts", "etc/hostname", "etc/resolv.conf" })
                File.WriteAllBytes(Path.Combine(fs, f), []);
            if (!snapshots.Commit(name, key)) snapshots.Remove(key);
        }
        catch
        {
            if (snapshots.Stat(key) is not null) snapshots.Remove(key);
            throw;
        }
        return name;
    }
}
