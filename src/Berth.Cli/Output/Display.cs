using System.Globalization;
using Berth.Engine.Oci;
using Berth.Engine.Util;

namespace Berth.Cli.Output;

/// <summary>How docker shows IDs, times and sizes in its tables.</summary>
public static class Display
{
    public static string Id(Digest id, bool noTrunc) => noTrunc ? id.ToString() : id.Short;

    public static string Ago(DateTimeOffset? t) =>
        t is { } v ? Units.HumanDuration(DateTimeOffset.UtcNow - v) + " ago" : "N/A";

    /// <summary>docker's CreatedAt: <c>2023-05-19 20:19:24 +0000 UTC</c>.</summary>
    public static string Timestamp(DateTimeOffset? t) =>
        t is { } v ? v.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss '+0000 UTC'", CultureInfo.InvariantCulture) : "";

    /// <summary>RFC 3339 with nanoseconds, as docker's JSON shows times.</summary>
    public static string Rfc3339(DateTimeOffset? t) =>
        t is { } v ? v.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) : "0001-01-01T00:00:00Z";

    /// <summary>Sizes in list tables: 3 significant digits, as docker's image and container tables show them.</summary>
    public static string Size(long bytes) => Units.HumanSize(bytes, 3);

    /// <summary>Sizes in disk-usage reports: 4 significant digits, as docker's system df shows them.</summary>
    public static string DiskSize(long bytes) => Units.HumanSize(bytes, 4);

    /// <summary>A command line cut to <paramref name="max"/> characters with an ellipsis, as docker's tables do.</summary>
    public static string Ellipsis(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
