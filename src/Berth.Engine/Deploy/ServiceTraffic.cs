using Berth.Engine.Deploy.LoadBalancer;

namespace Berth.Engine.Deploy;

/// <summary>A service's load balancer: started with the service's published ports, fed the replicas that take traffic, stopped by down.</summary>
public sealed class ServiceTraffic(string rootPath, (string Executable, IReadOnlyList<string> Args)? lbCommand)
{
    public string Dir(DeployedService s) => Path.Combine(rootPath, "deploy", s.Key);

    public static bool Fronted(DeployedService s) => ServiceSpecs.Listeners(s.Spec).Count > 0;

    public static bool Running(DeployedService s) => s.LbPid > 0 && LbProcess.IsRunning(s.LbPid, s.LbStart);

    /// <summary>Makes sure the balancer runs with the service's ports and sends new connections to <paramref name="backends"/>; returns the service with its balancer's process.</summary>
    public DeployedService Ensure(DeployedService s, IReadOnlyList<LbBackend> backends)
    {
        var listeners = ServiceSpecs.Listeners(s.Spec);
        var dir = Dir(s);
        var current = LbMembership.Read(dir);
        if (Running(s))
        {
            if (listeners.Count > 0 && current is not null && current.Listeners.SequenceEqual(listeners))
            {
                LbProcess.SetBackends(dir, backends, running: true);
                return s;
            }
            LbProcess.Stop(s.LbPid, s.LbStart);
        }
        if (listeners.Count == 0)
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            return s with { LbPid = 0, LbStart = 0 };
        }
        foreach (var l in listeners)
            if (l.HostPort == 0) throw new BerthException($"service {s.Service}: publish port {l.TargetPort} on a fixed host port (e.g. \"8080:{l.TargetPort}\"): the load balancer in front of its replicas owns it");
        new LbMembership((current?.Generation ?? 0) + 1, listeners, backends).Write(dir);
        var cmd = lbCommand ?? throw new BerthException("cannot start a load balancer from here: no balancer command", BerthException.EngineError);
        var (pid, start) = LbProcess.Start(cmd, dir);
        return s with { LbPid = pid, LbStart = start };
    }

    /// <summary>The switch: new connections go to <paramref name="backends"/> once this returns.</summary>
    public void Set(DeployedService s, IReadOnlyList<LbBackend> backends)
    {
        if (!Fronted(s) || !Directory.Exists(Dir(s))) return;
        LbProcess.SetBackends(Dir(s), backends, Running(s));
    }

    public void Drain(DeployedService s, IReadOnlyCollection<string> ids, TimeSpan timeout)
    {
        if (Running(s)) LbProcess.Drain(Dir(s), ids, timeout);
    }

    public void Stop(DeployedService s)
    {
        if (s.LbPid > 0) LbProcess.Stop(s.LbPid, s.LbStart);
        if (Directory.Exists(Dir(s))) Directory.Delete(Dir(s), recursive: true);
    }
}
