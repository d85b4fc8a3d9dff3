using Berth.Engine.Compose;
using Berth.Engine.Containers;

namespace Berth.Engine.Deploy;

/// <summary>
/// From a compose service to container options: names in the file become engine names (volumes, networks)
/// so a stored spec stands alone (deploy and rollback need no compose file), and a replica's create options
/// carry compose's labels and the service's settings.
/// </summary>
public static class ServiceSpecs
{
    /// <summary>Volume keys become volume names; network keys become network names, the default network spelled out.</summary>
    public static ComposeService Resolve(ComposeProject p, ComposeService s)
    {
        var volumes = s.Volumes.Select(v => v.Type == "volume" && v.Source.Length > 0 ? v with { Source = p.Volumes[v.Source].Name } : v).ToList();
        var networks = s.NetworkMode is not null ? new Dictionary<string, List<string>>()
            : s.Networks.Count == 0 ? new Dictionary<string, List<string>> { [p.Networks[ComposeProject.DefaultNetwork].Name] = [] }
            : s.Networks.ToDictionary(n => p.Networks[n.Key].Name, n => n.Value);
        return s with { Volumes = volumes, Networks = networks };
    }

    /// <summary>The network replicas are reached on (the first of the service's), or the network mode.</summary>
    public static string PrimaryNetwork(ComposeService resolved) => resolved.NetworkMode ?? resolved.Networks.Keys.First();

    public static string ContainerName(string project, ComposeService s, int number) => s.ContainerName ?? $"{project}-{s.Name}-{number}";

    public static CreateOptions Replica(string project, ComposeService s, string image, int number, int revision, string workingDir, IProjectNetwork network)
    {
        var labels = new Dictionary<string, string>(s.Labels)
        {
            [ComposeLabels.Project] = project,
            [ComposeLabels.Service] = s.Name,
            [ComposeLabels.Number] = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [ComposeLabels.OneOff] = "False",
            [ComposeLabels.Revision] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (workingDir.Length > 0) labels[ComposeLabels.WorkingDir] = workingDir;
        var mounts = s.Volumes.Select(v => new MountSpec
        {
            Type = v.Type, Source = v.Source, Target = v.Target, ReadOnly = v.ReadOnly, Anonymous = v.Type == "volume" && v.Source.Length == 0,
        }).ToList();
        foreach (var t in s.Tmpfs)
        {
            int colon = t.IndexOf(':');
            mounts.Add(new MountSpec { Type = "tmpfs", Target = colon < 0 ? t : t[..colon], Options = colon < 0 ? "" : t[(colon + 1)..] });
        }
        var o = new CreateOptions
        {
            Image = image,
            Name = ContainerName(project, s, number),
            Args = s.Command ?? [],
            EntrypointArgs = s.Entrypoint,
            Env = s.Environment,
            WorkingDir = s.WorkingDir,
            User = s.User,
            Hostname = s.Hostname,
            StopSignal = s.StopSignal,
            StopTimeout = s.StopGracePeriodSeconds,
            Labels = labels,
            Tty = s.Tty,
            OpenStdin = s.StdinOpen,
            Init = s.Init,
            ReadonlyRootfs = s.ReadOnly,
            Privileged = s.Privileged,
            Mounts = mounts,
            CapAdd = s.CapAdd,
            CapDrop = s.CapDrop,
            Dns = s.Dns,
            DnsSearch = s.DnsSearch,
            DnsOptions = s.DnsOptions,
            ExtraHosts = s.ExtraHosts,
            RestartPolicy = RestartPolicy.Parse(s.Restart),
            Healthcheck = Health(s.Healthcheck),
        };
        if (s.NetworkMode is { } mode) return o with { NetworkMode = mode };
        return network.Join(o, s.Networks.Select(n => new NetworkJoin(n.Key, [s.Name, .. n.Value])).ToList());
    }

    private static Oci.HealthConfig? Health(ComposeHealthcheck? h)
    {
        if (h is null) return null;
        static long? Ns(TimeSpan? t) => t is { } v ? Berth.Engine.Deploy.Health.HealthSettings.Nanoseconds(v) : null;
        return new Oci.HealthConfig
        {
            Test = h.Test.Count > 0 ? h.Test : null, Interval = Ns(h.Interval), Timeout = Ns(h.Timeout), StartPeriod = Ns(h.StartPeriod),
            StartInterval = Ns(h.StartInterval), Retries = h.Retries,
        };
    }

    /// <summary>The published TCP ports the service's load balancer listens on.</summary>
    public static List<LoadBalancer.LbListener> Listeners(ComposeService s) =>
        s.NetworkMode == "host" ? [] : s.Ports.Where(p => p.Protocol == "tcp").Select(p => new LoadBalancer.LbListener(p.HostIp, p.Published, p.Target)).ToList();

    /// <summary>Two specs differ in what a replica runs (the replica count aside)?</summary>
    public static bool SameReplica(ComposeService a, ComposeService b) =>
        DeployJson.Write(a with { Replicas = 1 }) == DeployJson.Write(b with { Replicas = 1 });
}
