using System.Diagnostics;

namespace Berth.Engine.Runtime;

/// <summary>Where a command's milliseconds go: marks printed to stderr under --debug (BERTH_DEBUG=1).</summary>
public static class Phases
{
    private static long s_last;
    private static readonly long s_start = Stopwatch.GetTimestamp();

    public static bool Enabled { get; set; }

    public static void Mark(string phase)
    {
        if (!Enabled) return;
        long now = Stopwatch.GetTimestamp();
        Console.Error.WriteLine($"berth: {Stopwatch.GetElapsedTime(s_start, now).TotalMilliseconds,7:F2} ms  +{Stopwatch.GetElapsedTime(s_last == 0 ? s_start : s_last, now).TotalMilliseconds,6:F2}  {phase}");
        s_last = now;
    }
}
