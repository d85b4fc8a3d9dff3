using Berth.Engine.Build.Dockerfile;

namespace Berth.Engine.Build.Planning;

/// <summary>
/// Expands the arguments the builder expands, per instruction, as BuildKit's dispatcher does: ENV
/// and LABEL keys and values, COPY/ADD paths and --chown/--chmod/--checksum and expandable inline
/// files, WORKDIR, USER, STOPSIGNAL, VOLUME, EXPOSE (which may split into several ports), RUN
/// --mount values. RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, MAINTAINER and ONBUILD stay as written.
/// Throws <see cref="ShellExpansionException"/> or <see cref="InstructionValueException"/>.
/// </summary>
internal sealed class StepExpander(ShellLexer lexer)
{
    private static readonly ShellLexer InlineFileLexer = new('\\') { SkipProcessQuotes = true };

    public sealed record Result(Instruction Expanded, IReadOnlyList<RunMount> Mounts, IReadOnlyList<string> Ports);

    public Result Expand(Instruction instruction, IReadOnlyDictionary<string, string> vars)
    {
        string W(string word) => lexer.ProcessWord(word, vars);
        string? Opt(string? word) => word is null ? null : W(word);

        switch (instruction)
        {
            case EnvInstruction e:
                return Plain(e with { Variables = [.. e.Variables.Select(v => v with { Key = W(v.Key), Value = W(v.Value) })] });
            case LabelInstruction l:
                return Plain(l with { Labels = [.. l.Labels.Select(v => v with { Key = W(v.Key), Value = W(v.Value) })] });
            case CopyInstruction c:
                return Plain(c with
                {
                    Chown = Opt(c.Chown),
                    Chmod = Opt(c.Chmod),
                    Sources = [.. c.Sources.Select(W)],
                    Destination = W(c.Destination),
                    InlineFiles = ExpandInline(c.InlineFiles, vars),
                });
            case AddInstruction a:
                return Plain(a with
                {
                    Chown = Opt(a.Chown),
                    Chmod = Opt(a.Chmod),
                    Checksum = Opt(a.Checksum),
                    Sources = [.. a.Sources.Select(W)],
                    Destination = W(a.Destination),
                    InlineFiles = ExpandInline(a.InlineFiles, vars),
                });
            case WorkdirInstruction w: return Plain(w with { Path = W(w.Path) });
            case UserInstruction u: return Plain(u with { User = W(u.User) });
            case StopSignalInstruction s: return Plain(s with { Signal = W(s.Signal) });
            case VolumeInstruction v: return Plain(v with { Paths = [.. v.Paths.Select(W)] });
            case ExposeInstruction x:
                var words = x.Ports.SelectMany(p => lexer.ProcessWords(p, vars)).ToList();
                return new Result(x with { Ports = words }, [], PortSpec.Normalize(words));
            case RunInstruction r:
                var mounts = r.MountSpecs.Select(spec => RunMount.Parse(spec, W)).ToList();
                return new Result(r, mounts, []);
            default:
                return Plain(instruction);
        }
    }

    private static Result Plain(Instruction i) => new(i, [], []);

    private static List<InlineFile> ExpandInline(IReadOnlyList<InlineFile> files, IReadOnlyDictionary<string, string> vars) =>
        [.. files.Select(f => f.Expand ? f with { Content = InlineFileLexer.ProcessWord(f.Content, vars) } : f)];
}
