using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Build.Planning;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution;

/// <summary>
/// The instructions that only change an image's config (CMD, ENTRYPOINT, ENV, LABEL, EXPOSE, VOLUME,
/// USER, WORKDIR, STOPSIGNAL, ONBUILD, HEALTHCHECK, SHELL, MAINTAINER), applied to a config as the
/// classic builder does, from the parser's typed, already expanded instructions. <c>build</c> applies
/// them step by step; <c>import -c</c> (and <c>commit -c</c>) through <see cref="ApplyChanges"/>.
/// </summary>
public static class ConfigInstructions
{
    public static readonly IReadOnlyList<string> DefaultShell = ["/bin/sh", "-c"];

    /// <summary>The keywords <c>import -c</c> and <c>commit -c</c> accept (docker's list).</summary>
    public static readonly IReadOnlyList<string> ChangeKeywords =
        ["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"];

    /// <summary>Whether <paramref name="instruction"/> is one this class applies.</summary>
    public static bool Handles(Instruction instruction) => instruction is CmdInstruction or EntrypointInstruction
        or EnvInstruction or LabelInstruction or ExposeInstruction or VolumeInstruction or UserInstruction
        or WorkdirInstruction or StopSignalInstruction or OnbuildInstruction or HealthcheckInstruction
        or ShellInstruction or MaintainerInstruction;

    /// <summary>
    /// Applies one expanded instruction. <paramref name="ports"/> are EXPOSE's normalised ports
    /// (<c>80/tcp</c>); <paramref name="cmdSetInStage"/> tells ENTRYPOINT whether to keep an
    /// inherited CMD (docker clears a CMD that came from the base image).
    /// </summary>
    public static ImageConfig Apply(ImageConfig image, Instruction expanded, IReadOnlyList<string>? ports = null, bool cmdSetInStage = false)
    {
        if (expanded is MaintainerInstruction m) return image with { Author = m.Maintainer };
        var c = image.Config ?? new ContainerConfig();
        c = expanded switch
        {
            CmdInstruction cmd => c with { Cmd = Command(cmd.Command, c) },
            EntrypointInstruction ep => c with { Entrypoint = Command(ep.Command, c), Cmd = cmdSetInStage ? c.Cmd : null },
            EnvInstruction env => c with { Env = MergeEnv(c.Env, env.Variables.Select(v => v.Key + "=" + v.Value)) },
            LabelInstruction label => c with { Labels = WithLabels(c.Labels, label.Labels) },
            ExposeInstruction expose => c with { ExposedPorts = WithKeys(c.ExposedPorts, ports ?? PortSpec.Normalize(expose.Ports)) },
            VolumeInstruction volume => c with { Volumes = WithKeys(c.Volumes, Volumes(volume.Paths)) },
            UserInstruction user => c with { User = user.User },
            WorkdirInstruction workdir => c with { WorkingDir = ResolveWorkdir(c.WorkingDir, workdir.Path) },
            StopSignalInstruction stop => c with { StopSignal = stop.Signal },
            OnbuildInstruction onbuild => c with { OnBuild = [.. c.OnBuild ?? [], onbuild.Expression] },
            HealthcheckInstruction h => c with { Healthcheck = Health(h) },
            ShellInstruction shell => c with { Shell = [.. shell.Shell] },
            _ => throw new ArgumentException($"{expanded.Keyword} does not change the image config", nameof(expanded)),
        };
        return image with { Config = c };
    }

    /// <summary>
    /// <c>--change</c> values (<c>CMD ["sh"]</c>, <c>ENV A=1</c>...) parsed with the Dockerfile parser,
    /// expanded against the config's environment and applied in order. Throws a one-line
    /// <see cref="BerthException"/> for anything else.
    /// </summary>
    public static ContainerConfig ApplyChanges(ContainerConfig config, IReadOnlyList<string> changes)
    {
        var image = new ImageConfig { Config = config };
        var lexer = new ShellLexer('\\');
        for (int i = 0; i < changes.Count; i++)
        {
            var instruction = ParseChange(changes[i]);
            var vars = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var e in image.Config?.Env ?? [])
            {
                int eq = e.IndexOf('=');
                vars[eq < 0 ? e : e[..eq]] = eq < 0 ? "" : e[(eq + 1)..];
            }
            StepExpander.Result expanded;
            try { expanded = new StepExpander(lexer).Expand(instruction, vars); }
            catch (BerthException e) when (e is ShellExpansionException or InstructionValueException)
            {
                throw new BerthException($"invalid change \"{changes[i]}\": {e.Message}");
            }
            image = Apply(image, expanded.Expanded, expanded.Expanded is ExposeInstruction ? expanded.Ports : null);
        }
        return image.Config ?? config;
    }

    private static Instruction ParseChange(string change)
    {
        var text = change.Trim();
        int end = 0;
        while (end < text.Length && !char.IsWhiteSpace(text[end])) end++;
        var keyword = text[..end].ToUpperInvariant();
        if (!ChangeKeywords.Contains(keyword))
            throw new BerthException($"{(keyword.Length == 0 ? "\"\"" : keyword)} is not a valid change command: use {string.Join(", ", ChangeKeywords)}");
        DockerfileAst ast;
        try
        {
            // A change is one Dockerfile line; parsed as the body of a stage so that every form is accepted.
            ast = DockerfileParser.Parse("FROM scratch\n" + text, "--change");
        }
        catch (DockerfileSyntaxException e)
        {
            throw new BerthException($"invalid change \"{change}\": {e.Reason}");
        }
        if (ast.Stages is not [{ Instructions: [var instruction] }])
            throw new BerthException($"invalid change \"{change}\": give exactly one instruction");
        return instruction;
    }

    /// <summary>Shell form runs under the config's SHELL (default <c>/bin/sh -c</c>).</summary>
    public static List<string> Command(CommandLine command, ContainerConfig config) =>
        command.IsExecForm ? [.. command.Args] : [.. config.Shell ?? DefaultShell, .. command.Args];

    /// <summary>docker's merge: a variable set again keeps its place, a new one goes last.</summary>
    public static List<string> MergeEnv(IEnumerable<string>? env, IEnumerable<string> add)
    {
        var list = new List<string>(env ?? []);
        foreach (var kv in add)
        {
            int eq = kv.IndexOf('=');
            var prefix = (eq < 0 ? kv : kv[..eq]) + "=";
            int i = list.FindIndex(e => e.StartsWith(prefix, StringComparison.Ordinal) || e == prefix[..^1]);
            if (i >= 0) list[i] = kv;
            else list.Add(kv);
        }
        return list;
    }

    /// <summary>WORKDIR: a relative path is taken from the previous working directory.</summary>
    public static string ResolveWorkdir(string? current, string path)
    {
        var joined = path.StartsWith('/') ? path : "/" + (current ?? "").Trim('/') + "/" + path;
        var clean = Context.IgnoreMatcher.CleanPath(joined);
        return clean.StartsWith('/') ? clean : "/" + clean;
    }

    private static Dictionary<string, string> WithLabels(Dictionary<string, string>? labels, IEnumerable<KeyValue> add)
    {
        var result = new Dictionary<string, string>(labels ?? []);
        foreach (var kv in add) result[kv.Key] = kv.Value;
        return result;
    }

    private static Dictionary<string, EmptyObject> WithKeys(Dictionary<string, EmptyObject>? map, IEnumerable<string> keys)
    {
        var result = new Dictionary<string, EmptyObject>(map ?? []);
        foreach (var k in keys) result[k] = EmptyObject.Instance;
        return result;
    }

    private static IEnumerable<string> Volumes(IEnumerable<string> paths)
    {
        foreach (var p in paths)
        {
            var v = p.Trim();
            if (v.Length == 0) throw new InstructionValueException("VOLUME specified can not be an empty string");
            yield return v;
        }
    }

    private static HealthConfig Health(HealthcheckInstruction h)
    {
        if (h.IsNone) return new HealthConfig { Test = ["NONE"] };
        static long? Ns(TimeSpan t) => t == TimeSpan.Zero ? null : t.Ticks * 100;
        return new HealthConfig
        {
            Test = [.. h.Test],
            Interval = Ns(h.Interval),
            Timeout = Ns(h.Timeout),
            StartPeriod = Ns(h.StartPeriod),
            StartInterval = Ns(h.StartInterval),
            Retries = h.Retries == 0 ? null : h.Retries,
        };
    }
}
