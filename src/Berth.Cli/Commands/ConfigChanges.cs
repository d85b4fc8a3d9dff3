using System.Text.Json;
using Berth.Engine;
using Berth.Engine.Oci;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>--change</c> / <c>-c</c> of import and commit: the Dockerfile instructions that only change the
/// config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL, ONBUILD).
/// </summary>
internal static class ConfigChanges
{
    public static IReadOnlyList<(string Instruction, string Args)> Parse(IReadOnlyList<string> changes) =>
        changes.Select(c =>
        {
            var t = c.Trim();
            int sp = t.IndexOfAny([' ', '\t', '=']);
            if (sp <= 0) throw new BerthException($"invalid change \"{c}\": expected an instruction and its arguments, e.g. CMD [\"sh\"]");
            var instruction = t[..sp].ToUpperInvariant();
            if (instruction is not ("CMD" or "ENTRYPOINT" or "ENV" or "EXPOSE" or "LABEL" or "USER" or "VOLUME" or "WORKDIR" or "STOPSIGNAL" or "ONBUILD"))
                throw new BerthException($"{instruction} is not a valid change command: use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME or WORKDIR");
            return (instruction, t[(sp + 1)..].Trim());
        }).ToList();

    public static ContainerConfig Apply(ContainerConfig config, IReadOnlyList<(string Instruction, string Args)> changes)
    {
        foreach (var (instruction, args) in changes)
        {
            config = instruction switch
            {
                "CMD" => config with { Cmd = Command(args) },
                "ENTRYPOINT" => config with { Entrypoint = Command(args) },
                "ENV" => config with { Env = Merge(config.Env, Pairs(args).Select(p => $"{p.Key}={p.Value}")) },
                "LABEL" => config with { Labels = new Dictionary<string, string>(config.Labels ?? []).Also(d => { foreach (var (k, v) in Pairs(args)) d[k] = v; }) },
                "EXPOSE" => config with { ExposedPorts = new Dictionary<string, EmptyObject>(config.ExposedPorts ?? []).Also(d => { foreach (var p in Words(args)) d[p.Contains('/') ? p : p + "/tcp"] = EmptyObject.Instance; }) },
                "VOLUME" => config with { Volumes = new Dictionary<string, EmptyObject>(config.Volumes ?? []).Also(d => { foreach (var v in JsonOrWords(args)) d[v] = EmptyObject.Instance; }) },
                "USER" => config with { User = args },
                "WORKDIR" => config with { WorkingDir = args },
                "STOPSIGNAL" => config with { StopSignal = args },
                "ONBUILD" => config with { OnBuild = [.. config.OnBuild ?? [], args] },
                _ => config,
            };
        }
        return config;
    }

    private static List<string> Command(string args) =>
        args.StartsWith('[') && TryJson(args) is { } list ? list : ["/bin/sh", "-c", args];

    private static List<string> JsonOrWords(string args) =>
        args.StartsWith('[') && TryJson(args) is { } list ? list : Words(args);

    private static List<string>? TryJson(string s)
    {
        try { return JsonSerializer.Deserialize(s, ChangesJson.Default.ListString); }
        catch (JsonException) { return null; }
    }

    private static List<string> Words(string s) => s.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary><c>k=v k2="v 2"</c>, or the legacy <c>k v</c>.</summary>
    private static List<KeyValuePair<string, string>> Pairs(string args)
    {
        var result = new List<KeyValuePair<string, string>>();
        int eq = args.IndexOf('='), sp = args.IndexOfAny([' ', '\t']);
        if (eq < 0 || (sp >= 0 && sp < eq))
        {
            if (sp < 0) throw new BerthException($"invalid change arguments \"{args}\": expected key=value");
            result.Add(new(args[..sp], args[(sp + 1)..].Trim()));
            return result;
        }
        int i = 0;
        while (i < args.Length)
        {
            while (i < args.Length && char.IsWhiteSpace(args[i])) i++;
            int keyStart = i;
            while (i < args.Length && args[i] != '=') i++;
            if (i >= args.Length) throw new BerthException($"invalid change arguments \"{args}\": expected key=value");
            var key = args[keyStart..i];
            i++;
            var value = new System.Text.StringBuilder();
            char quote = '\0';
            for (; i < args.Length; i++)
            {
                char c = args[i];
                if (quote != '\0') { if (c == quote) quote = '\0'; else value.Append(c); continue; }
                if (c is '"' or '\'') { quote = c; continue; }
                if (c == '\\' && i + 1 < args.Length) { value.Append(args[++i]); continue; }
                if (char.IsWhiteSpace(c)) break;
                value.Append(c);
            }
            result.Add(new(key, value.ToString()));
        }
        return result;
    }

    private static List<string> Merge(List<string>? env, IEnumerable<string> add)
    {
        var list = new List<string>(env ?? []);
        foreach (var kv in add)
        {
            var key = kv[..kv.IndexOf('=')];
            list.RemoveAll(e => e.StartsWith(key + "=", StringComparison.Ordinal));
            list.Add(kv);
        }
        return list;
    }

    private static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
internal sealed partial class ChangesJson : System.Text.Json.Serialization.JsonSerializerContext;
