using System.Globalization;

namespace Berth.Engine.Build.Execution.Copy;

/// <summary>
/// <c>--chown=user[:group]</c>: names are looked up in the image's /etc/passwd and /etc/group,
/// numbers taken as they are; without a group the user's numeric ID is the group ID too (the
/// Dockerfile reference's rule).
/// </summary>
public static class Chown
{
    public static (uint Uid, uint Gid) Resolve(string spec, Func<string, string?> readFile)
    {
        var colon = spec.IndexOf(':');
        var user = colon < 0 ? spec : spec[..colon];
        var group = colon < 0 ? null : spec[(colon + 1)..];
        if (user.Length == 0) throw new BerthException($"invalid --chown \"{spec}\": give user[:group]");
        uint uid = Id(user, "/etc/passwd", "user", readFile);
        uint gid = group is { Length: > 0 } ? Id(group, "/etc/group", "group", readFile) : uid;
        return (uid, gid);
    }

    private static uint Id(string nameOrId, string file, string what, Func<string, string?> readFile)
    {
        if (uint.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return id;
        foreach (var line in (readFile(file) ?? "").Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == nameOrId && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var found))
                return found;
        }
        throw new BerthException($"unable to convert {what} {nameOrId} to an ID: no {what} of that name in {file} of the image");
    }

    /// <summary><c>--chmod</c>: octal permission bits (<c>755</c>, <c>0644</c>, up to <c>7777</c>).</summary>
    public static int ParseMode(string spec)
    {
        int mode = 0;
        if (spec.Length is 0 or > 4) throw BadMode(spec);
        foreach (var c in spec)
        {
            if (c is < '0' or > '7') throw BadMode(spec);
            mode = mode * 8 + (c - '0');
        }
        return mode;
    }

    private static BerthException BadMode(string spec) =>
        new($"invalid --chmod \"{spec}\": give the permission bits in octal, e.g. 755 or 0644");
}
