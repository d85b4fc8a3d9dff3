using System.Globalization;

namespace Berth.Engine.Containers;

/// <summary>
/// docker's <c>-u user[:group]</c>: names are looked up in the image's /etc/passwd and /etc/group, numbers
/// are taken as they are; a user gets the supplementary groups /etc/group lists it in.
/// </summary>
public static class UserResolver
{
    public sealed record Result(uint Uid, uint Gid, List<uint> AdditionalGids);

    public static Result Resolve(string user, Func<string, string?> readFile)
    {
        var (userPart, groupPart) = user.IndexOf(':') is var i and >= 0 ? (user[..i], user[(i + 1)..]) : (user, (string?)null);
        if (userPart.Length == 0) userPart = "0";
        var passwd = Parse(readFile("/etc/passwd"));
        var group = Parse(readFile("/etc/group"));

        uint uid, gid = 0;
        string? name = null;
        var entry = passwd.FirstOrDefault(p => p.Length >= 4 && p[0] == userPart)
            ?? (uint.TryParse(userPart, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? passwd.FirstOrDefault(p => p.Length >= 4 && p[2] == userPart) : null);
        if (entry is not null)
        {
            name = entry[0];
            uid = ParseId(entry[2], "uid");
            gid = ParseId(entry[3], "gid");
        }
        else if (uint.TryParse(userPart, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric)) uid = numeric;
        else throw new BerthException($"unable to find user {userPart}: no matching entries in passwd file", BerthException.EngineError);

        var extra = new List<uint>();
        if (groupPart is { Length: > 0 })
        {
            var g = group.FirstOrDefault(e => e.Length >= 3 && e[0] == groupPart);
            if (g is not null) gid = ParseId(g[2], "gid");
            else if (uint.TryParse(groupPart, NumberStyles.None, CultureInfo.InvariantCulture, out var numericGid)) gid = numericGid;
            else throw new BerthException($"unable to find group {groupPart}: no matching entries in group file", BerthException.EngineError);
        }
        else if (name is not null)
        {
            foreach (var g in group)
                if (g.Length >= 4 && g[3].Split(',').Contains(name) && uint.TryParse(g[2], CultureInfo.InvariantCulture, out var sg) && sg != gid && !extra.Contains(sg))
                    extra.Add(sg);
        }
        return new Result(uid, gid, extra);
    }

    private static uint ParseId(string s, string what) =>
        uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new BerthException($"invalid {what} '{s}' in the image's files");

    private static List<string[]> Parse(string? text) =>
        text is null ? [] : text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(':')).ToList();
}
