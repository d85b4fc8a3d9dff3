using System.Globalization;
using System.Text;
using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Build.Planning;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution;

/// <summary>
/// The <c>created_by</c> of each history entry, worded as docker's classic builder words it
/// (<c>/bin/sh -c #(nop)  ENV A=1</c>, <c>|1 V=2 /bin/sh -c make</c>,
/// <c>/bin/sh -c #(nop) COPY file:&lt;sha&gt; in /app </c>), so <c>history</c> reads the same.
/// </summary>
public static class HistoryText
{
    private const string Nop = "/bin/sh -c #(nop) ";

    /// <summary>RUN: the command as run, after the build args it saw (<c>|2 A=1 B=2 </c>).</summary>
    public static string Run(IReadOnlyList<string> argv, IReadOnlyList<KeyValuePair<string, string>> buildArgs)
    {
        var command = string.Join(' ', argv);
        if (buildArgs.Count == 0) return command;
        var sb = new StringBuilder("|").Append(buildArgs.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var (k, v) in buildArgs) sb.Append(' ').Append(k).Append('=').Append(v);
        return sb.Append(' ').Append(command).ToString();
    }

    /// <summary>COPY/ADD: <c>file:</c>, <c>dir:</c> or <c>multi:</c> with the checksum of the sources, then the destination.</summary>
    public static string Copy(string keyword, string kind, string checksum, string destination) =>
        $"{Nop}{keyword} {kind}:{checksum} in {destination} ";

    public static string Workdir(string path) => Nop + "WORKDIR " + path;

    /// <summary>A config-only instruction, as the classic builder comments it.</summary>
    public static string Config(PlannedStep step, ContainerConfig after) => Nop + " " + step.Expanded switch
    {
        CmdInstruction => "CMD " + Quoted(after.Cmd),
        EntrypointInstruction => "ENTRYPOINT " + Quoted(after.Entrypoint),
        EnvInstruction e => "ENV " + string.Join(' ', e.Variables.Select(v => v.Key + "=" + v.Value)),
        LabelInstruction l => "LABEL " + string.Join(' ', l.Labels.Select(v => v.Key + "=" + v.Value)),
        ExposeInstruction => "EXPOSE " + string.Join(' ', step.ExposedPorts),
        VolumeInstruction v => "VOLUME " + Quoted(v.Paths),
        UserInstruction u => "USER " + u.User,
        StopSignalInstruction s => "STOPSIGNAL " + s.Signal,
        ShellInstruction s => "SHELL " + Quoted(s.Shell),
        MaintainerInstruction m => "MAINTAINER " + m.Maintainer,
        OnbuildInstruction o => "ONBUILD " + o.Expression,
        HealthcheckInstruction h => "HEALTHCHECK " + (h.IsNone ? "NONE" : Quoted(h.Test)),
        _ => step.Expanded.Original,
    };

    /// <summary>Go's <c>%q</c> of a string slice: <c>["a" "b"]</c>.</summary>
    private static string Quoted(IEnumerable<string>? items) =>
        "[" + string.Join(' ', (items ?? []).Select(i => "\"" + i.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"")) + "]";
}
