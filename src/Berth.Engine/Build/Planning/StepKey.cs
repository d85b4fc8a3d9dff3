using System.Globalization;
using System.Text;
using System.Text.Json;
using Berth.Engine.Build.Dockerfile;

namespace Berth.Engine.Build.Planning;

/// <summary>
/// Writes a step's cache key text: one JSON object, fields in a fixed order, every value escaped,
/// so two steps have equal keys exactly when their expanded definitions are equal.
/// </summary>
internal sealed class StepKey : IDisposable
{
    private readonly MemoryStream _buffer = new();
    private readonly Utf8JsonWriter _json;

    private StepKey(string op)
    {
        _json = new Utf8JsonWriter(_buffer);
        _json.WriteStartObject();
        _json.WriteString("v", "1");
        _json.WriteString("op", op);
    }

    public StepKey Field(string name, string? value)
    {
        if (value is null) _json.WriteNull(name);
        else _json.WriteString(name, value);
        return this;
    }

    public StepKey Field(string name, bool value)
    {
        _json.WriteBoolean(name, value);
        return this;
    }

    public StepKey Field(string name, bool? value)
    {
        if (value is { } b) _json.WriteBoolean(name, b);
        else _json.WriteNull(name);
        return this;
    }

    public StepKey Field(string name, IEnumerable<string> values)
    {
        _json.WriteStartArray(name);
        foreach (var v in values) _json.WriteStringValue(v);
        _json.WriteEndArray();
        return this;
    }

    public StepKey Pairs(string name, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        _json.WriteStartArray(name);
        foreach (var (k, v) in pairs)
        {
            _json.WriteStartArray();
            _json.WriteStringValue(k);
            _json.WriteStringValue(v);
            _json.WriteEndArray();
        }
        _json.WriteEndArray();
        return this;
    }

    public string Finish()
    {
        _json.WriteEndObject();
        _json.Flush();
        return Encoding.UTF8.GetString(_buffer.ToArray());
    }

    public void Dispose()
    {
        _json.Dispose();
        _buffer.Dispose();
    }

    /// <summary>The key of <paramref name="step"/>, whose instruction is already expanded.</summary>
    public static string For(Instruction expanded, IReadOnlyList<KeyValuePair<string, string>> buildArgs,
        BuildSource? copySource, IReadOnlyList<PlannedMount> mounts, IReadOnlyList<string> ports)
    {
        using var key = new StepKey(expanded.Keyword);
        switch (expanded)
        {
            case RunInstruction r:
                Command(key, r.Command)
                    .Field("network", r.Network)
                    .Field("security", r.Security);
                MountList(key, mounts);
                HeredocList(key, r.Heredocs);
                key.Pairs("buildArgs", buildArgs);
                break;
            case CopyInstruction c:
                Files(key, c, copySource).Field("parents", c.Parents);
                break;
            case AddInstruction a:
                Files(key, a, copySource).Field("checksum", a.Checksum).Field("keepGitDir", a.KeepGitDir).Field("unpack", a.Unpack);
                break;
            case EnvInstruction e:
                key.Pairs("env", e.Variables.Select(v => new KeyValuePair<string, string>(v.Key, v.Value)));
                break;
            case LabelInstruction l:
                key.Pairs("labels", l.Labels.Select(v => new KeyValuePair<string, string>(v.Key, v.Value)));
                break;
            case ArgInstruction a:
                // The declaration as written: a changed value misses the cache where it is used, not here.
                key.Field("args", a.Args.Select(d => d.ToString()));
                break;
            case ExposeInstruction:
                key.Field("ports", ports);
                break;
            case VolumeInstruction v: key.Field("paths", v.Paths); break;
            case UserInstruction u: key.Field("user", u.User); break;
            case WorkdirInstruction w: key.Field("path", w.Path); break;
            case StopSignalInstruction s: key.Field("signal", s.Signal); break;
            case MaintainerInstruction m: key.Field("maintainer", m.Maintainer); break;
            case CmdInstruction c: Command(key, c.Command); break;
            case EntrypointInstruction e: Command(key, e.Command); break;
            case ShellInstruction s: key.Field("shell", s.Shell); break;
            case OnbuildInstruction o: key.Field("trigger", o.Expression); break;
            case HealthcheckInstruction h:
                key.Field("test", h.Test)
                    .Field("interval", Ticks(h.Interval))
                    .Field("timeout", Ticks(h.Timeout))
                    .Field("startPeriod", Ticks(h.StartPeriod))
                    .Field("startInterval", Ticks(h.StartInterval))
                    .Field("retries", h.Retries.ToString(CultureInfo.InvariantCulture));
                break;
            default:
                key.Field("original", expanded.Original);
                break;
        }
        return key.Finish();
    }

    private static string Ticks(TimeSpan t) => t.Ticks.ToString(CultureInfo.InvariantCulture);

    private static StepKey Command(StepKey key, CommandLine command) =>
        key.Field("exec", command.IsExecForm).Field("cmd", command.Args);

    private static StepKey Files(StepKey key, FileInstruction f, BuildSource? source)
    {
        key.Field("from", source?.Key)
            .Field("sources", f.Sources)
            .Field("dest", f.Destination)
            .Field("chown", f.Chown)
            .Field("chmod", f.Chmod)
            .Field("link", f.Link)
            .Field("excludes", f.Excludes);
        key._json.WriteStartArray("inline");
        foreach (var file in f.InlineFiles)
        {
            key._json.WriteStartArray();
            key._json.WriteStringValue(file.Name);
            key._json.WriteStringValue(file.Content);
            key._json.WriteEndArray();
        }
        key._json.WriteEndArray();
        return key;
    }

    private static void MountList(StepKey key, IReadOnlyList<PlannedMount> mounts)
    {
        key._json.WriteStartArray("mounts");
        foreach (var (m, source) in mounts)
        {
            key._json.WriteStartObject();
            key._json.WriteString("type", m.Type);
            key._json.WriteString("from", source.Key);
            key._json.WriteString("source", m.Source);
            key._json.WriteString("target", m.Target);
            key._json.WriteBoolean("readonly", m.ReadOnly);
            key._json.WriteString("id", m.Id);
            key._json.WriteString("sharing", m.Sharing);
            key._json.WriteBoolean("required", m.Required);
            key._json.WriteString("env", m.Env);
            key._json.WriteString("size", m.SizeLimit?.ToString(CultureInfo.InvariantCulture));
            key._json.WriteString("mode", m.Mode?.ToString(CultureInfo.InvariantCulture));
            key._json.WriteString("uid", m.Uid?.ToString(CultureInfo.InvariantCulture));
            key._json.WriteString("gid", m.Gid?.ToString(CultureInfo.InvariantCulture));
            key._json.WriteEndObject();
        }
        key._json.WriteEndArray();
    }

    private static void HeredocList(StepKey key, IReadOnlyList<Heredoc> docs)
    {
        key._json.WriteStartArray("heredocs");
        foreach (var d in docs)
        {
            key._json.WriteStartArray();
            key._json.WriteStringValue(d.Name);
            key._json.WriteStringValue(d.Content);
            key._json.WriteBooleanValue(d.Chomp);
            key._json.WriteNumberValue(d.FileDescriptor);
            key._json.WriteEndArray();
        }
        key._json.WriteEndArray();
    }
}
