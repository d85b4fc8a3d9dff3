using Berth.Engine.Compose;
using Berth.Engine.Containers;
using Berth.Engine.Deploy.Health;

namespace Berth.Engine.Deploy;

/// <summary>
/// Compose projects and services on one state root: <c>up</c> (create what is missing, roll out what changed,
/// scale), <c>down</c>, <c>deploy</c> (a new image as a new revision), <c>rollback</c> and the history. The CLI
/// is a thin shell over it; images come through <see cref="IServiceImages"/>, networking through <see cref="IProjectNetwork"/>.
/// </summary>
public sealed class Deployer
{
    private readonly ContainerService _containers;
    private readonly IProjectNetwork _network;
    private readonly IServiceImages _images;
    private readonly TextWriter _log;

    public Deployer(ContainerService containers, IProjectNetwork network, IServiceImages images, (string, IReadOnlyList<string>)? lbCommand, TextWriter log)
    {
        _containers = containers;
        _network = network;
        _images = images;
        _log = log;
        Store = new DeployStore(containers.Root.Db);
        Replicas = new Replicas(containers, network);
        Traffic = new ServiceTraffic(containers.Root.Path, lbCommand);
    }

    public DeployStore Store { get; }
    public Replicas Replicas { get; }
    public ServiceTraffic Traffic { get; }

    private Rollout Rollout => new(Replicas, Store, Traffic, _network, _log);

    /// <summary>compose up: networks and volumes, then each service after what it depends on.</summary>
    public void Up(ComposeProject p, IReadOnlyList<string> only, bool build, RolloutOptions rollout)
    {
        var selected = Selected(p, only);
        foreach (var key in selected.SelectMany(s => s.NetworkMode is not null ? [] : s.Networks.Count > 0 ? s.Networks.Keys.ToList() : new List<string> { ComposeProject.DefaultNetwork }).Distinct())
            _network.Ensure(p.Networks[key], p.Name);
        foreach (var key in selected.SelectMany(s => s.Volumes).Where(v => v.Type == "volume" && v.Source.Length > 0).Select(v => v.Source).Distinct())
            EnsureVolume(p, key);
        foreach (var s in selected)
        {
            WaitForDependencies(p, s, rollout.Timeout);
            UpService(p, s, build, rollout);
        }
    }

    /// <summary>The services asked for and everything they depend on, in start order.</summary>
    private static List<ComposeService> Selected(ComposeProject p, IReadOnlyList<string> only)
    {
        if (only.Count == 0) return p.Services;
        var want = new HashSet<string>();
        void Add(string name)
        {
            if (!want.Add(name)) return;
            foreach (var d in p.Service(name).DependsOn.Keys) Add(d);
        }
        foreach (var n in only) Add(n);
        return p.Services.Where(s => want.Contains(s.Name)).ToList();
    }

    private void EnsureVolume(ComposeProject p, string key)
    {
        var v = p.Volumes[key];
        if (_containers.Volumes.Get(v.Name) is not null) return;
        if (v.External) throw new BerthException($"external volume \"{v.Name}\" not found: create it with berth volume create {v.Name}");
        var labels = new Dictionary<string, string>(v.Labels) { [ComposeLabels.Project] = p.Name, [ComposeLabels.Volume] = key };
        _containers.Volumes.Create(v.Name, labels);
        _log.WriteLine($" Volume \"{v.Name}\"  Created");
    }

    private void WaitForDependencies(ComposeProject p, ComposeService s, TimeSpan timeout)
    {
        foreach (var (dep, condition) in s.DependsOn)
        {
            if (condition == "service_started") continue;
            var deadline = DateTime.UtcNow + timeout;
            foreach (var c in Replicas.Of(p.Name, dep))
            {
                if (condition == "service_healthy")
                {
                    if (HealthSettings.For(c.Spec.Healthcheck) is null)
                        throw new BerthException($"service {s.Name} waits for {dep} to be healthy, but {dep} has no health check");
                    if (Replicas.WaitReady(c, "", [], deadline - DateTime.UtcNow) is { } why)
                        throw new BerthException($"dependency failed to start: container {c.Name} is not healthy: {why}");
                    continue;
                }
                var code = new ContainerLifecycle(_containers).Wait(c);
                if (code != 0) throw new BerthException($"service {dep} didn't complete successfully: exit {code}");
            }
        }
    }

    private void UpService(ComposeProject p, ComposeService s, bool build, RolloutOptions rollout)
    {
        var (image, imageId) = _images.ForService(p, s, build);
        var spec = ServiceSpecs.Resolve(p, s) with { Image = image };
        var net = ServiceSpecs.PrimaryNetwork(spec);
        var existing = Store.Get(p.Name, s.Name);
        var current = Replicas.Of(p.Name, s.Name);
        if (existing is null || current.Count == 0)
        {
            if (current.Count > 0) Replicas.StopAndRemove(current);
            var svc = existing ?? new DeployedService { Project = p.Name, Service = s.Name, Spec = spec, Network = net };
            svc = svc with { Spec = spec, Network = net };
            int number = Store.NextRevision(svc.Key);
            if (existing is null) Store.Put(svc);
            var started = new List<Container>();
            try
            {
                foreach (var n in Replicas.FreeNumbers(p.Name, s.Name, spec.Replicas))
                {
                    var c = Replicas.Start(ServiceSpecs.Replica(p.Name, spec, image, n, number, p.WorkingDir, _network));
                    started.Add(c);
                    _log.WriteLine($" Container {c.Name}  Started");
                }
                svc = Traffic.Ensure(svc, Backends(svc, started));
            }
            catch
            {
                Replicas.StopAndRemove(started, 2);
                if (existing is null) Store.Delete(p.Name, s.Name);
                throw;
            }
            Store.Db.InTransaction(() =>
            {
                Store.AddRevision(svc.Key, new Revision
                {
                    Number = number, Image = image, ImageId = imageId, Spec = spec, Created = DateTimeOffset.UtcNow, User = rollout.User,
                    Strategy = "create", Status = Revision.Active, Note = "compose up",
                });
                if (svc.Revision > 0) Store.SetRevisionStatus(svc.Key, svc.Revision, Revision.Replaced);
                Store.Put(svc with { Revision = number });
            });
            return;
        }
        var running = current.Where(c => c.Running).ToList();
        bool changed = running.Any(c => c.Spec.ImageId != imageId) || !ServiceSpecs.SameReplica(existing.Spec, spec);
        if (changed)
        {
            existing = Traffic.Ensure(existing with { Spec = spec }, Backends(existing, running)) with { Spec = existing.Spec };
            Store.Put(existing);
            Rollout.Run(existing, spec, image, imageId, rollout with
            {
                MaxSurge = Math.Max(rollout.MaxSurge, spec.UpdateParallelism), Strategy = spec.UpdateOrder == "stop-first" ? "recreate" : rollout.Strategy,
                Note = "compose up",
            });
            return;
        }
        Scale(existing with { Spec = spec }, current);
    }

    /// <summary>Same revision: start stopped replicas, add or remove replicas to match the count, keep the balancer running.</summary>
    private void Scale(DeployedService svc, IReadOnlyList<Container> current)
    {
        var lifecycle = new ContainerLifecycle(_containers);
        foreach (var c in current.Where(c => !c.Running))
        {
            lifecycle.StartDetached(c);
            _log.WriteLine($" Container {c.Name}  Started");
        }
        var all = Replicas.Of(svc.Project, svc.Service).ToList();
        if (all.Count < svc.Spec.Replicas)
            foreach (var n in Replicas.FreeNumbers(svc.Project, svc.Service, svc.Spec.Replicas - all.Count))
            {
                var c = Replicas.Start(ServiceSpecs.Replica(svc.Project, svc.Spec, svc.Spec.Image!, n, svc.Revision, "", _network));
                _log.WriteLine($" Container {c.Name}  Started");
            }
        var extra = Replicas.Of(svc.Project, svc.Service).OrderByDescending(Berth.Engine.Deploy.Replicas.Number).Take(Math.Max(0, all.Count - svc.Spec.Replicas)).ToList();
        var keep = Replicas.Of(svc.Project, svc.Service).Where(c => c.Running && !extra.Any(e => e.Id == c.Id)).ToList();
        svc = Traffic.Ensure(svc, Backends(svc, keep));
        if (extra.Count > 0)
        {
            Traffic.Drain(svc, extra.Select(c => c.Id).ToList(), TimeSpan.FromSeconds(10));
            Replicas.StopAndRemove(extra);
        }
        Store.Put(svc);
        if (current.All(c => c.Running) && extra.Count == 0 && all.Count == svc.Spec.Replicas)
            foreach (var c in current) _log.WriteLine($" Container {c.Name}  Running");
    }

    private List<LoadBalancer.LbBackend> Backends(DeployedService s, IEnumerable<Container> list) =>
        list.Select(c => Replicas.Address(_containers.Find(c.Id) ?? c, s.Network) is { } ip ? new LoadBalancer.LbBackend(c.Id, ip) : null)
            .OfType<LoadBalancer.LbBackend>().ToList();

    /// <summary>compose down: balancers, containers, service records, then the project's networks (and with -v its volumes).</summary>
    public void Down(string project, bool volumes)
    {
        foreach (var svc in Store.List(project))
        {
            Traffic.Stop(svc);
            Store.Delete(svc.Project, svc.Service);
        }
        var list = Replicas.OfProject(project);
        Replicas.StopAndRemove(list);
        foreach (var c in list) _log.WriteLine($" Container {c.Name}  Removed");
        foreach (var n in _network.ProjectNetworks(project))
            if (_network.Remove(n)) _log.WriteLine($" Network {n}  Removed");
        if (!volumes) return;
        var all = _containers.Store.List();
        foreach (var v in _containers.Volumes.List().Where(v => v.Labels.GetValueOrDefault(ComposeLabels.Project) == project))
        {
            _containers.Volumes.Remove(v.Name, all);
            _log.WriteLine($" Volume {v.Name}  Removed");
        }
    }

    /// <summary>berth deploy: the service's current spec with a new image, as a new revision.</summary>
    public RolloutResult Deploy(string service, string image, RolloutOptions o)
    {
        var svc = Store.Find(service);
        var (reference, id) = _images.ForReference(image);
        return Rollout.Run(Live(svc), svc.Spec with { Image = reference }, reference, id, o);
    }

    /// <summary>berth rollback: the previous revision (or <paramref name="to"/>) started again, with the same switch; its image must be local or pullable.</summary>
    public RolloutResult Rollback(string service, int? to, RolloutOptions o)
    {
        var svc = Store.Find(service);
        var revisions = Store.Revisions(svc.Key);
        Revision target;
        if (to is { } n)
        {
            target = revisions.FirstOrDefault(r => r.Number == n) ?? throw new BerthException($"service {svc.Key} has no revision {n} (see berth deploy history {svc.Key})");
            if (n == svc.Revision) throw new BerthException($"revision {n} is what {svc.Key} runs already");
            if (target.Status == Revision.Failed) throw new BerthException($"revision {n} of {svc.Key} failed its rollout; choose another (see berth deploy history {svc.Key})");
        }
        else
        {
            target = revisions.Where(r => r.Number < svc.Revision && r.Status != Revision.Failed && r.Status != "rolling").LastOrDefault()
                ?? throw new BerthException($"service {svc.Key} has no previous revision to roll back to (it runs revision {svc.Revision})");
        }
        // By its tag while the tag still names the same image, else by the image ID; pulled only when it is gone.
        var (image, imageId) = _images.LocalId(target.Image) == target.ImageId ? (target.Image, target.ImageId)
            : _images.LocalId(target.ImageId) is { } local ? (local, local)
            : _images.ForReference(target.Image);
        return Rollout.Run(Live(svc), target.Spec with { Image = image }, image, imageId,
            o with { Note = $"rollback to {target.Number}" });
    }

    /// <summary>The stored service with its balancer checked: a balancer that died is started again before a rollout.</summary>
    private DeployedService Live(DeployedService svc)
    {
        if (!ServiceTraffic.Fronted(svc) || ServiceTraffic.Running(svc)) return svc;
        svc = Traffic.Ensure(svc, Backends(svc, Replicas.Of(svc.Project, svc.Service).Where(c => c.Running)));
        Store.Put(svc);
        return svc;
    }

    public (DeployedService Service, IReadOnlyList<Revision> Revisions) History(string service)
    {
        var svc = Store.Find(service);
        return (svc, Store.Revisions(svc.Key));
    }
}
