using Berth.Engine.Deploy.Health;

namespace Berth.Engine.Tests.Deploy;

public sealed class HealthStateTests
{
    private static readonly HealthSettings Settings = new(["true"], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromSeconds(1), 3);

    private static HealthProbeResult Probe(int code) => new() { ExitCode = code, Output = code.ToString() };

    [Fact]
    public void Success_is_healthy_and_retries_failures_in_a_row_are_unhealthy()
    {
        var s = new HealthState();
        Assert.Equal(HealthState.Starting, s.Status);
        s = s.After(Probe(1), Settings, false).After(Probe(1), Settings, false);
        Assert.Equal((HealthState.Starting, 2), (s.Status, s.FailingStreak));
        s = s.After(Probe(1), Settings, false);
        Assert.Equal((HealthState.Unhealthy, 3), (s.Status, s.FailingStreak));
        s = s.After(Probe(0), Settings, false);
        Assert.Equal((HealthState.Healthy, 0), (s.Status, s.FailingStreak));
    }

    [Fact]
    public void Failures_in_the_start_period_do_not_count_while_starting()
    {
        var s = new HealthState();
        for (int i = 0; i < 5; i++) s = s.After(Probe(1), Settings, inStartPeriod: true);
        Assert.Equal((HealthState.Starting, 0), (s.Status, s.FailingStreak));
        Assert.Equal(5, s.Log.Count);
        s = s.After(Probe(0), Settings, true).After(Probe(1), Settings, true);
        Assert.Equal((HealthState.Healthy, 1), (s.Status, s.FailingStreak));
    }

    [Fact]
    public void The_log_keeps_the_last_five()
    {
        var s = new HealthState();
        for (int i = 0; i < 8; i++) s = s.After(Probe(i % 2), Settings, false);
        Assert.Equal(["1", "0", "1", "0", "1"], s.Log.Select(p => p.Output));
    }

    [Fact]
    public void Settings_apply_docker_defaults_and_merge_over_the_image()
    {
        var image = new Berth.Engine.Oci.HealthConfig { Test = ["CMD-SHELL", "check"], Interval = 5_000_000_000, Retries = 7 };
        var merged = HealthSettings.Merge(image, new Berth.Engine.Oci.HealthConfig { Interval = 2_000_000_000 });
        var s = HealthSettings.For(merged)!;
        Assert.Equal(["/bin/sh", "-c", "check"], s.Command);
        Assert.Equal(TimeSpan.FromSeconds(2), s.Interval);
        Assert.Equal(TimeSpan.FromSeconds(30), s.Timeout);
        Assert.Equal(7, s.Retries);
        Assert.Null(HealthSettings.For(HealthSettings.Merge(image, new Berth.Engine.Oci.HealthConfig { Test = ["NONE"] })));
    }
}
