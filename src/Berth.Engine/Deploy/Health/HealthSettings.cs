namespace Berth.Engine.Deploy.Health;

/// <summary>A container's health check with docker's defaults applied: interval 30s, timeout 30s, start period 0, start interval 5s, 3 retries.</summary>
public sealed record HealthSettings(List<string> Command, TimeSpan Interval, TimeSpan Timeout, TimeSpan StartPeriod, TimeSpan StartInterval, int Retries)
{
    private const long NsPerTick = 100;

    /// <summary>The check a container runs, or null (no HEALTHCHECK, or NONE).</summary>
    public static HealthSettings? For(Oci.HealthConfig? h)
    {
        if (h?.Test is not { Count: > 0 } test || test[0] == "NONE") return null;
        List<string> command = test[0] switch
        {
            "CMD" => test[1..],
            "CMD-SHELL" => ["/bin/sh", "-c", string.Join(' ', test.Skip(1))],
            _ => test,
        };
        if (command.Count == 0) return null;
        static TimeSpan Or(long? ns, TimeSpan d) => ns is > 0 ? TimeSpan.FromTicks(ns.Value / NsPerTick) : d;
        return new HealthSettings(command, Or(h.Interval, TimeSpan.FromSeconds(30)), Or(h.Timeout, TimeSpan.FromSeconds(30)),
            Or(h.StartPeriod, TimeSpan.Zero), Or(h.StartInterval, TimeSpan.FromSeconds(5)), h.Retries is > 0 ? h.Retries.Value : 3);
    }

    /// <summary>docker's merge at create: the container's settings over the image's, a zero field inheriting the image's value.</summary>
    public static Oci.HealthConfig? Merge(Oci.HealthConfig? image, Oci.HealthConfig? user)
    {
        if (user is null) return image;
        if (image is null || user.Test is { Count: > 0 } && user.Test[0] == "NONE") return user;
        return new Oci.HealthConfig
        {
            Test = user.Test is { Count: > 0 } ? user.Test : image.Test,
            Interval = user.Interval is > 0 ? user.Interval : image.Interval,
            Timeout = user.Timeout is > 0 ? user.Timeout : image.Timeout,
            StartPeriod = user.StartPeriod is > 0 ? user.StartPeriod : image.StartPeriod,
            StartInterval = user.StartInterval is > 0 ? user.StartInterval : image.StartInterval,
            Retries = user.Retries is > 0 ? user.Retries : image.Retries,
        };
    }

    public static long Nanoseconds(TimeSpan t) => t.Ticks * NsPerTick;
}
