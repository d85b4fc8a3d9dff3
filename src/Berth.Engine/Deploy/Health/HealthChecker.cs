using Berth.Engine.Containers;
using Berth.Engine.Metadata;

namespace Berth.Engine.Deploy.Health;

/// <summary>
/// Runs a container's health check from its monitor, on a thread of its own with its own database
/// connection, while the container runs: the first probe after the interval (the start interval while in
/// the start period), then one per interval; each result updates the container's <see cref="HealthState"/>.
/// </summary>
public sealed class HealthChecker : IDisposable
{
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;

    private HealthChecker(ContainerService service, Container c, int pid, HealthSettings settings)
    {
        _thread = new Thread(() => Loop(service, c, pid, settings)) { IsBackground = true, Name = "health" };
        _thread.Start();
    }

    /// <summary>Starts checking <paramref name="c"/> (running as <paramref name="pid"/>); null when it has no health check.</summary>
    public static HealthChecker? Start(ContainerService service, Container c, int pid)
    {
        if (HealthSettings.For(c.Spec.Healthcheck) is not { } settings) return null;
        new HealthStore(service.Root.Db).Put(c.Id, new HealthState());
        return new HealthChecker(service, c, pid, settings);
    }

    private void Loop(ContainerService service, Container c, int pid, HealthSettings settings)
    {
        using var db = new MetadataDb(Path.Combine(service.Root.Path, "berth.db"), Schemas.All);
        var store = new HealthStore(db);
        var state = new HealthState();
        long started = Environment.TickCount64;
        bool InStartPeriod() => Environment.TickCount64 - started < settings.StartPeriod.TotalMilliseconds;
        var delay = InStartPeriod() ? settings.StartInterval : settings.Interval;
        while (!_stop.Wait(delay))
        {
            bool inStart = InStartPeriod();
            var probe = HealthProbe.Run(service, c, pid, settings);
            if (_stop.IsSet) break;
            state = state.After(probe, settings, inStart);
            try { store.Put(c.Id, state); }
            catch (Microsoft.Data.Sqlite.SqliteException) { break; } // the container was removed
            delay = InStartPeriod() && state.Status == HealthState.Starting ? settings.StartInterval : settings.Interval;
        }
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
