using System.Diagnostics;
using Berth.Engine.Compose;
using Berth.Engine.Containers;
using Berth.Engine.Deploy.LoadBalancer;

namespace Berth.Engine.Deploy;

/// <summary>How a rollout goes: rolling (new replicas first, max-surge at a time) or recreate (all old stopped first).</summary>
public sealed record RolloutOptions
{
    public string Strategy { get; init; } = "rolling";
    public int MaxSurge { get; init; } = 1;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    public string User { get; init; } = Environment.UserName;
    public string Note { get; init; } = "";
}

/// <summary>What a finished rollout reports: its revision, how long it took, and each traffic switch (from healthy to applied by the balancer).</summary>
public sealed record RolloutResult(int Revision, TimeSpan Took, IReadOnlyList<TimeSpan> Switches);

/// <summary>
/// One rollout of a service to a new revision. Rolling: start max-surge new replicas, wait until they are
/// ready (healthy, or accepting on their ports), switch the balancer to them and away from as many old
/// ones, drain those, stop them; repeat. If a new replica never becomes ready, the new replicas are removed,
/// the balancer keeps (or gets back) the old ones, the revision is recorded as failed and the error says why.
/// Recreate stops every old replica first.
/// </summary>
internal sealed class Rollout(Replicas replicas, DeployStore store, ServiceTraffic traffic, IProjectNetwork network, TextWriter log)
{
    public RolloutResult Run(DeployedService svc, ComposeService spec, string image, string imageId, RolloutOptions o)
    {
        if (o.Strategy is not ("rolling" or "recreate")) throw new BerthException($"invalid strategy {o.Strategy}: use rolling or recreate");
        if (o.MaxSurge < 1) throw new BerthException("--max-surge must be at least 1");
        var clock = Stopwatch.StartNew();
        int number = store.NextRevision(svc.Key);
        store.AddRevision(svc.Key, new Revision
        {
            Number = number, Image = image, ImageId = imageId, Spec = spec, Created = DateTimeOffset.UtcNow, User = o.User,
            Strategy = o.Strategy, Status = "rolling", Note = o.Note,
        });
        var old = replicas.Of(svc.Project, svc.Service).Where(c => c.Running).ToList();
        var next = svc with { Spec = spec };
        log.WriteLine($"{svc.Key}: revision {number} ({image}), {o.Strategy}, {spec.Replicas} replica(s), replacing {old.Count}");
        var switches = new List<TimeSpan>();
        try
        {
            if (o.Strategy == "recreate") Recreate(svc, next, old, image, number, o);
            else Rolling(svc, next, old, image, number, o, switches);
        }
        catch (RolloutFailed f)
        {
            store.SetRevisionStatus(svc.Key, number, Revision.Failed, f.Message);
            throw new BerthException($"rollout of {svc.Key} to {image} failed: {f.Message}; {svc.Service} still runs revision {svc.Revision}" +
                (svc.Revision > 0 ? $" ({store.Revisions(svc.Key).FirstOrDefault(r => r.Number == svc.Revision)?.Image})" : ""));
        }
        store.Db.InTransaction(() =>
        {
            if (svc.Revision > 0) store.SetRevisionStatus(svc.Key, svc.Revision, Revision.Replaced);
            store.SetRevisionStatus(svc.Key, number, Revision.Active);
            store.Put(next with { Revision = number, LbPid = svc.LbPid, LbStart = svc.LbStart });
        });
        log.WriteLine($"{svc.Key}: revision {number} active in {clock.Elapsed.TotalSeconds:0.00}s");
        return new RolloutResult(number, clock.Elapsed, switches);
    }

    private sealed class RolloutFailed(string message) : Exception(message);

    private string Net(DeployedService s) => s.Network;

    private List<int> Ports(ComposeService s) => ServiceSpecs.Listeners(s).Select(l => l.TargetPort).Distinct().ToList();

    private List<LbBackend> Backends(DeployedService s, IEnumerable<Container> list) =>
        list.Select(c => replicas.Address(c, Net(s)) is { } ip ? new LbBackend(c.Id, ip) : null).OfType<LbBackend>().ToList();

    private List<Container> StartNew(DeployedService next, string image, int revision, int count, List<Container> made)
    {
        var numbers = replicas.FreeNumbers(next.Project, next.Service, count);
        var started = new List<Container>();
        foreach (var n in numbers)
        {
            var options = ServiceSpecs.Replica(next.Project, next.Spec, image, n, revision, "", network);
            try { started.Add(replicas.Start(options)); }
            catch (BerthException e) { made.AddRange(started); throw new RolloutFailed($"replica {options.Name} did not start: {e.Message}"); }
        }
        made.AddRange(started);
        return started;
    }

    private void Rolling(DeployedService svc, DeployedService next, List<Container> old, string image, int revision, RolloutOptions o, List<TimeSpan> switches)
    {
        var made = new List<Container>();
        var serving = new List<Container>(old);
        var retire = new Queue<Container>(old);
        var stopping = new List<Container>();
        try
        {
            while (made.Count < next.Spec.Replicas)
            {
                int batch = Math.Min(o.MaxSurge, next.Spec.Replicas - made.Count);
                var fresh = StartNew(next, image, revision, batch, made);
                foreach (var c in fresh)
                    if (replicas.WaitReady(c, Net(next), Ports(next.Spec), o.Timeout) is { } why) throw new RolloutFailed(why);
                var healthy = Stopwatch.StartNew();
                var leaving = new List<Container>();
                for (int i = 0; i < batch && retire.Count > 0; i++) leaving.Add(retire.Dequeue());
                if (made.Count >= next.Spec.Replicas) while (retire.Count > 0) leaving.Add(retire.Dequeue());
                serving = [.. serving.Where(c => !leaving.Contains(c)), .. fresh.Select(c => replicas.Containers.Get(c.Id))];
                traffic.Set(next, Backends(next, serving));
                switches.Add(healthy.Elapsed);
                log.WriteLine($"  {string.Join(", ", fresh.Select(c => c.Name))} ready, traffic switched in {healthy.Elapsed.TotalMilliseconds:0.0} ms" +
                    (leaving.Count > 0 ? $", retiring {string.Join(", ", leaving.Select(c => c.Name))}" : ""));
                // Drained replicas are asked to stop now and waited for together at the end (one grace period, not one per batch).
                traffic.Drain(next, leaving.Select(c => c.Id).ToList(), TimeSpan.FromSeconds(next.Spec.StopGracePeriodSeconds ?? 10));
                stopping.AddRange(replicas.BeginStop(leaving));
            }
            replicas.FinishStop(stopping);
        }
        catch (RolloutFailed)
        {
            traffic.Set(svc, Backends(svc, old.Where(c => !stopping.Contains(c) && replicas.Containers.Find(c.Id) is { Running: true })));
            replicas.StopAndRemove(made.Select(c => replicas.Containers.Find(c.Id)).OfType<Container>().ToList(), 2);
            replicas.FinishStop(stopping);
            throw;
        }
    }

    private void Retire(DeployedService s, List<Container> leaving)
    {
        if (leaving.Count == 0) return;
        traffic.Drain(s, leaving.Select(c => c.Id).ToList(), TimeSpan.FromSeconds(s.Spec.StopGracePeriodSeconds ?? 10));
        replicas.StopAndRemove(leaving);
    }

    private void Recreate(DeployedService svc, DeployedService next, List<Container> old, string image, int revision, RolloutOptions o)
    {
        traffic.Set(svc, []);
        Retire(svc, old);
        var made = new List<Container>();
        try
        {
            var fresh = StartNew(next, image, revision, next.Spec.Replicas, made);
            foreach (var c in fresh)
                if (replicas.WaitReady(c, Net(next), Ports(next.Spec), o.Timeout) is { } why) throw new RolloutFailed(why);
            traffic.Set(next, Backends(next, fresh.Select(c => replicas.Containers.Get(c.Id))));
        }
        catch (RolloutFailed)
        {
            replicas.StopAndRemove(made.Select(c => replicas.Containers.Find(c.Id)).OfType<Container>().ToList(), 2);
            // Nothing old is left to serve: bring the previous revision back as it was.
            var previous = store.Revisions(svc.Key).FirstOrDefault(r => r.Number == svc.Revision);
            if (previous is not null)
            {
                var back = new List<Container>();
                try
                {
                    var again = StartNew(svc, replicas.Containers.Images.Resolve(previous.ImageId).Id, previous.Number, svc.Spec.Replicas, back);
                    traffic.Set(svc, Backends(svc, again.Select(c => replicas.Containers.Get(c.Id))));
                }
                catch (RolloutFailed) { }
            }
            throw;
        }
    }
}
