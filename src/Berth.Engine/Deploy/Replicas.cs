using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Berth.Engine.Containers;
using Berth.Engine.Deploy.Health;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Deploy;

/// <summary>A service's containers: found by compose's labels, created, started, judged ready, stopped and removed.</summary>
public sealed class Replicas(ContainerService containers, IProjectNetwork network)
{
    public ContainerService Containers => containers;

    public static int Number(Container c) =>
        int.TryParse(c.Spec.Labels.GetValueOrDefault(ComposeLabels.Number), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    public static bool InProject(Container c, string project) => c.Spec.Labels.GetValueOrDefault(ComposeLabels.Project) == project;

    public IReadOnlyList<Container> OfProject(string project) =>
        containers.List().Where(c => InProject(c, project)).OrderBy(c => c.Spec.Labels.GetValueOrDefault(ComposeLabels.Service), StringComparer.Ordinal).ThenBy(Number).ToList();

    public IReadOnlyList<Container> Of(string project, string service) =>
        OfProject(project).Where(c => c.Spec.Labels.GetValueOrDefault(ComposeLabels.Service) == service).ToList();

    /// <summary>The lowest replica numbers no container of the service holds.</summary>
    public List<int> FreeNumbers(string project, string service, int count)
    {
        var taken = Of(project, service).Select(Number).ToHashSet();
        var free = new List<int>();
        for (int n = 1; free.Count < count; n++)
            if (!taken.Contains(n)) free.Add(n);
        return free;
    }

    /// <summary>Creates and starts a replica; a replica that fails to start is removed again.</summary>
    public Container Start(CreateOptions options)
    {
        Container c;
        using (containers.Root.SharedLock())
            c = new ContainerCreator(containers).Create(options).Container;
        try { new ContainerLifecycle(containers).StartDetached(c); }
        catch
        {
            try { new ContainerLifecycle(containers).Remove(containers.Get(c.Id), force: true, volumes: true); } catch (BerthException) { }
            throw;
        }
        return containers.Get(c.Id);
    }

    public string? Address(Container c, string net) => c.Spec.NetworkMode == "host" ? "127.0.0.1" : network.Address(c, net);

    /// <summary>
    /// Waits until the replica can take traffic: healthy when it has a health check, else running with its
    /// target ports accepting connections (or just running when there is nothing to probe). Null when ready,
    /// else why not (it exited, became unhealthy, or the timeout passed).
    /// </summary>
    public string? WaitReady(Container c, string net, IReadOnlyList<int> ports, TimeSpan timeout)
    {
        var health = new HealthStore(containers.Root.Db);
        bool hasCheck = HealthSettings.For(c.Spec.Healthcheck) is not null;
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        for (;;)
        {
            var fresh = containers.Find(c.Id);
            if (fresh is null) return $"{c.Name} was removed";
            if (!fresh.Running) return $"{c.Name} exited with code {fresh.ExitCode}" + (fresh.Error.Length > 0 ? ": " + fresh.Error : "");
            if (hasCheck)
            {
                var h = health.Get(c.Id);
                if (h?.Status == HealthState.Healthy) return null;
                if (h?.Status == HealthState.Unhealthy)
                    return $"{c.Name} is unhealthy" + (h.Log.LastOrDefault() is { } last ? $" (last check exit {last.ExitCode}: {last.Output.Trim().ReplaceLineEndings(" ")})" : "");
            }
            else if (ports.Count == 0 || (Address(fresh, net) is { } ip && ports.All(p => Accepts(ip, p)))) return null;
            if (Environment.TickCount64 > deadline)
                return $"{c.Name} did not become {(hasCheck ? "healthy" : "ready")} within {Util.Units.HumanDuration(timeout)}";
            Thread.Sleep(hasCheck ? 25 : 50);
        }
    }

    private static bool Accepts(string ip, int port)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            var r = s.BeginConnect(new IPEndPoint(IPAddress.Parse(ip), port), null, null);
            bool ok = r.AsyncWaitHandle.WaitOne(200) && s.Connected;
            return ok;
        }
        catch (SocketException) { return false; }
    }

    /// <summary>
    /// Stops many containers at once: the stop signal to all, one shared grace period, SIGKILL to what is
    /// left, then each exit recorded and the container removed (with its anonymous volumes).
    /// </summary>
    public void StopAndRemove(IReadOnlyList<Container> list, int? timeoutSeconds = null) =>
        FinishStop(BeginStop(list), timeoutSeconds);

    /// <summary>Asks the containers to stop (their stop signal); <see cref="FinishStop"/> waits and removes them.</summary>
    public IReadOnlyList<Container> BeginStop(IReadOnlyList<Container> list)
    {
        foreach (var c in list.Where(c => c.Running && c.Pid > 0))
        {
            containers.Store.SetStopRequested(c.Id, true);
            try { containers.RuntimeFor(c.Spec, c.Id).Signal(c.Id, c.Pid, Signals.Parse(c.Spec.StopSignal)); } catch (BerthException) { }
        }
        return list;
    }

    /// <summary>Waits one shared grace period for containers asked to stop, kills what is left, removes them all.</summary>
    public void FinishStop(IReadOnlyList<Container> list, int? timeoutSeconds = null)
    {
        var lifecycle = new ContainerLifecycle(containers);
        var running = list.Where(c => c.Running && c.Pid > 0).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(timeoutSeconds ?? running.Select(c => c.Spec.StopTimeout ?? 10).DefaultIfEmpty(10).Max());
        foreach (var c in running)
        {
            var left = deadline - DateTime.UtcNow;
            if (left > TimeSpan.Zero && ChildProcess.WaitGone(c.Pid, c.PidStart, left)) continue;
            try { containers.RuntimeFor(c.Spec, c.Id).Signal(c.Id, c.Pid, Signals.SIGKILL); } catch (BerthException) { }
        }
        foreach (var c in list)
        {
            try
            {
                var fresh = containers.Find(c.Id);
                if (fresh is null) continue;
                if (fresh.Running) lifecycle.Stop(fresh, 0);
                lifecycle.Remove(containers.Get(c.Id), force: true, volumes: true);
            }
            catch (NotFoundException) { }
        }
    }
}
