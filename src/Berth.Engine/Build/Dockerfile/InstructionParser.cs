using System.Globalization;

namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// Turns one logical line into a typed <see cref="Instruction"/>: keyword, leading flags, then the
/// keyword's own argument syntax (JSON or shell form, key=value pairs, plain words...), with
/// BuildKit's rules and error texts. Here-document bodies are pulled from the line reader.
/// </summary>
internal sealed class InstructionParser(string file, char escape, LineReader reader)
{
    public static readonly IReadOnlyList<string> Keywords =
    [
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
        "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    ];

    /// <summary>A keyword, its flags and its argument text, split but not yet interpreted.</summary>
    private sealed record Split(string Keyword, string Lower, List<string> Flags, string Args, string Original, string Line);

    /// <summary>Where the instruction being parsed is, to locate errors.</summary>
    private SourceLocation _at;
    private int _endLine;

    public Instruction Parse(LogicalLine line)
    {
        _at = new SourceLocation(file, line.StartLine, line.Column);
        _endLine = line.EndLine;
        var split = SplitLine(line.Text);
        var heredocs = ReadHeredocs(split, line.Text);
        return Build(split, heredocs);
    }

    private Split SplitLine(string text)
    {
        var trimmed = text.Trim();
        var (keyword, tail) = WordSplitter.SplitFirst(trimmed);
        var (flags, rest) = tail.Length > 0 ? WordSplitter.ExtractFlags(tail, escape) : ([], "");
        return new Split(keyword, keyword.ToLowerInvariant(), flags, rest.Trim(), trimmed, text);
    }

    private List<Heredoc> ReadHeredocs(Split split, string line)
    {
        if (!line.Contains("<<") || !CanContainHeredoc(split)) return [];
        List<Heredoc> found;
        try { found = HeredocSyntax.FindInLine(line); }
        catch (ShellExpansionException e) { throw Fail(e.Message); }
        var docs = new List<Heredoc>(found.Count);
        foreach (var doc in found)
        {
            var body = reader.ReadHeredocBody(doc.Name, doc.Chomp)
                ?? throw Fail($"unterminated heredoc: end the here-document with a line containing only {doc.Name}");
            docs.Add(doc with { Content = body });
        }
        _endLine = reader.CurrentLine;
        return docs;
    }

    /// <summary>RUN, ADD and COPY in shell form (also as an ONBUILD trigger) may open here-documents.</summary>
    private bool CanContainHeredoc(Split split)
    {
        if (split.Lower == "onbuild" && split.Args.Length > 0) split = SplitLine(split.Args);
        return split.Lower is "run" or "add" or "copy" && JsonArgs.TryParse(split.Args, out _) == JsonArgs.Outcome.NotJson;
    }

    private Instruction Build(Split s, IReadOnlyList<Heredoc> heredocs)
    {
        Instruction instruction = s.Lower switch
        {
            "from" => From(s),
            "arg" => Arg(s),
            "run" => Run(s, heredocs),
            "cmd" => new CmdInstruction { Command = NoFlags(s).Command(s) },
            "entrypoint" => new EntrypointInstruction { Command = NoFlags(s).Command(s) },
            "shell" => Shell(s),
            "env" => new EnvInstruction { Variables = NoFlags(s).KeyValues(s) },
            "label" => new LabelInstruction { Labels = NoFlags(s).KeyValues(s) },
            "expose" => new ExposeInstruction { Ports = NoFlags(s).AtLeastOne(s, WordSplitter.WhitespaceFields(s.Args)) },
            "volume" => Volume(s),
            "user" => new UserInstruction { User = NoFlags(s).ExactlyOne(s) },
            "workdir" => new WorkdirInstruction { Path = NoFlags(s).ExactlyOne(s) },
            "stopsignal" => new StopSignalInstruction { Signal = NoFlags(s).ExactlyOne(s) },
            "maintainer" => new MaintainerInstruction { Maintainer = NoFlags(s).ExactlyOne(s) },
            "healthcheck" => Healthcheck(s),
            "add" => Add(s, heredocs),
            "copy" => Copy(s, heredocs),
            "onbuild" => Onbuild(s, heredocs),
            _ => throw Fail(UnknownInstruction(s.Keyword)),
        };
        return instruction with
        {
            Keyword = s.Lower.ToUpperInvariant(),
            Location = _at,
            EndLine = _endLine,
            Original = s.Original,
            Flags = s.Flags,
        };
    }

    private static string UnknownInstruction(string keyword) =>
        Suggestions.Closest(keyword, Keywords, caseSensitive: false) is { } match
            ? $"unknown instruction: {keyword} (did you mean {match}?)"
            : $"unknown instruction: {keyword} (instructions are {string.Join(", ", Keywords)})";

    private FromInstruction From(Split s)
    {
        var args = WordSplitter.WhitespaceFields(s.Args);
        string? name = null;
        if (args.Count == 3 && args[1].Equals("as", StringComparison.OrdinalIgnoreCase))
        {
            name = args[2].ToLowerInvariant();
            if (!IsValidStageName(name))
                throw Fail($"invalid name for build stage: \"{args[2]}\", name can't start with a number or contain symbols (use letters, digits, '-', '_' and '.')");
        }
        else if (args.Count != 1)
        {
            throw Fail("FROM requires either one or three arguments: FROM [--platform=<platform>] <image> [AS <name>]");
        }
        var flags = Flags(s, new FlagSet("FROM").String("platform"));
        return new FromInstruction { BaseName = args[0], StageName = name, Platform = flags.GetString("platform") };
    }

    private static bool IsValidStageName(string name) =>
        name.Length > 0 && char.IsAsciiLetterLower(name[0]) &&
        name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.');

    private ArgInstruction Arg(Split s)
    {
        var words = WordSplitter.QuoteAwareWords(s.Args, escape);
        if (words.Count == 0) throw Fail("ARG requires at least one argument: ARG <name>[=<default value>]");
        var args = new List<ArgDeclaration>(words.Count);
        foreach (var word in words)
        {
            int eq = word.IndexOf('=');
            if (eq == 0) throw Fail("ARG names can not be blank");
            args.Add(eq < 0 ? new ArgDeclaration(word, null) : new ArgDeclaration(word[..eq], word[(eq + 1)..]));
        }
        Flags(s, new FlagSet("ARG"));
        return new ArgInstruction { Args = args };
    }

    private RunInstruction Run(Split s, IReadOnlyList<Heredoc> heredocs)
    {
        var flags = Flags(s, new FlagSet("RUN").Strings("mount").String("network").String("security"));
        var command = Command(s);
        if (command.Args.Count == 0) throw Fail("RUN requires at least one argument: the command to run");
        var network = flags.GetString("network") ?? "default";
        if (network is not ("default" or "none" or "host")) throw Fail($"invalid network mode \"{network}\": use default, none or host");
        var security = flags.GetString("security") ?? "sandbox";
        if (security is not ("sandbox" or "insecure")) throw Fail($"security \"{security}\" is not valid: use sandbox or insecure");
        var mounts = flags.GetStrings("mount");
        foreach (var spec in mounts)
        {
            try
            {
                RunMount.CheckUnexpanded(spec);
                if (!spec.Any(c => c is '$' or '\'' or '"' || c == escape)) RunMount.Parse(spec, v => v);
            }
            catch (InstructionValueException e) { throw Fail($"invalid --mount={spec}: {e.Message}"); }
        }
        return new RunInstruction { Command = command, Heredocs = heredocs, MountSpecs = mounts, Network = network, Security = security };
    }

    private ShellInstruction Shell(Split s)
    {
        NoFlags(s);
        var command = Command(s);
        if (command.Args.Count == 0) throw Fail("SHELL requires at least one argument: SHELL [\"executable\", \"parameters\"]");
        if (!command.IsExecForm) throw Fail("SHELL requires the arguments to be in JSON form: SHELL [\"executable\", \"parameters\"]");
        return new ShellInstruction { Shell = command.Args };
    }

    private VolumeInstruction Volume(Split s)
    {
        var (paths, _) = MaybeJsonList(s.Args);
        if (paths.Count == 0) throw Fail("VOLUME requires at least one argument: VOLUME /path or VOLUME [\"/path\"]");
        NoFlags(s);
        var trimmed = new List<string>(paths.Count);
        foreach (var p in paths)
        {
            var t = p.Trim();
            if (t.Length == 0) throw Fail("VOLUME specified can not be an empty string");
            trimmed.Add(t);
        }
        return new VolumeInstruction { Paths = trimmed };
    }

    private HealthcheckInstruction Healthcheck(Split s)
    {
        var rest = s.Args;
        int sep = 0;
        while (sep < rest.Length && !char.IsWhiteSpace(rest[sep])) sep++;
        if (sep == 0) throw Fail("HEALTHCHECK requires at least one argument: HEALTHCHECK NONE or HEALTHCHECK [OPTIONS] CMD command");
        int next = sep;
        while (next < rest.Length && char.IsWhiteSpace(rest[next])) next++;
        var type = rest[..sep].ToUpperInvariant();
        var command = CommandFrom(rest[next..]);
        if (type == "NONE")
        {
            if (command.Args.Count != 0) throw Fail("HEALTHCHECK NONE takes no arguments");
            return new HealthcheckInstruction { Test = ["NONE"] };
        }
        var flags = Flags(s, new FlagSet("HEALTHCHECK").String("interval").String("timeout").String("start-period").String("start-interval").String("retries"));
        if (type != "CMD") throw Fail($"Unknown type \"{rest[..sep]}\" in HEALTHCHECK (try CMD)");
        if (command.Args.Count == 0) throw Fail("Missing command after HEALTHCHECK CMD");
        List<string> test = command.IsExecForm ? ["CMD", .. command.Args] : ["CMD-SHELL", string.Join(" ", command.Args)];
        int retries = 0;
        if (flags.GetString("retries") is { } r)
        {
            if (!int.TryParse(r, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out retries))
                throw Fail($"invalid value \"{r}\" for --retries: use a whole number");
            if (retries < 0) throw Fail($"--retries cannot be negative ({retries})");
        }
        return new HealthcheckInstruction
        {
            Test = test,
            Interval = Interval(flags, "interval"),
            Timeout = Interval(flags, "timeout"),
            StartPeriod = Interval(flags, "start-period"),
            StartInterval = Interval(flags, "start-interval"),
            Retries = retries,
        };
    }

    private TimeSpan Interval(FlagSet flags, string name)
    {
        var text = flags.GetString(name);
        if (string.IsNullOrEmpty(text)) return TimeSpan.Zero;
        if (!GoDuration.TryParse(text, out var d))
            throw Fail($"invalid duration \"{text}\" for --{name}: use a number with a unit (ms, s, m, h), e.g. 30s");
        if (d != TimeSpan.Zero && d < TimeSpan.FromMilliseconds(1)) throw Fail($"Interval \"{name}\" cannot be less than 1ms");
        return d;
    }

    private AddInstruction Add(Split s, IReadOnlyList<Heredoc> heredocs)
    {
        var (args, json) = SourcesAndDestination(s, "ADD");
        var flags = Flags(s, new FlagSet("ADD").String("chown").String("chmod").Bool("link").Bool("keep-git-dir")
            .String("checksum").Bool("unpack").Strings("exclude"));
        var (sources, inline, dest) = SplitSources(args, heredocs, "ADD");
        return new AddInstruction
        {
            Sources = sources,
            InlineFiles = inline,
            Destination = dest,
            IsJsonForm = json,
            Chown = flags.GetString("chown"),
            Chmod = flags.GetString("chmod"),
            Link = flags.GetBool("link"),
            KeepGitDir = flags.GetOptionalBool("keep-git-dir"),
            Checksum = flags.GetString("checksum"),
            Unpack = flags.GetOptionalBool("unpack"),
            Excludes = flags.GetStrings("exclude"),
        };
    }

    private CopyInstruction Copy(Split s, IReadOnlyList<Heredoc> heredocs)
    {
        var (args, json) = SourcesAndDestination(s, "COPY");
        var flags = Flags(s, new FlagSet("COPY").String("chown").String("from").String("chmod").Bool("link")
            .Strings("exclude").Bool("parents"));
        var (sources, inline, dest) = SplitSources(args, heredocs, "COPY");
        return new CopyInstruction
        {
            Sources = sources,
            InlineFiles = inline,
            Destination = dest,
            IsJsonForm = json,
            From = flags.GetString("from"),
            Chown = flags.GetString("chown"),
            Chmod = flags.GetString("chmod"),
            Link = flags.GetBool("link"),
            Parents = flags.GetBool("parents"),
            Excludes = flags.GetStrings("exclude"),
        };
    }

    private (List<string> Args, bool Json) SourcesAndDestination(Split s, string keyword)
    {
        var (args, json) = MaybeJsonList(s.Args);
        if (args.Count < 2)
            throw Fail($"{keyword} requires at least two arguments, but only one was provided. Destination could not be determined: {keyword} <src>... <dest>");
        return (args, json);
    }

    private (List<string> Sources, List<InlineFile> Inline, string Destination) SplitSources(List<string> args, IReadOnlyList<Heredoc> heredocs, string keyword)
    {
        var dest = args[^1];
        if (HeredocSyntax.IsHeredoc(dest, out _)) throw Fail($"{keyword} cannot accept a heredoc as a destination");
        var sources = new List<string>();
        var inline = new List<InlineFile>();
        foreach (var src in args.Take(args.Count - 1))
        {
            if (HeredocSyntax.IsHeredoc(src, out var doc))
            {
                var content = heredocs.LastOrDefault(h => h.Name == doc.Name)?.Content ?? "";
                inline.Add(new InlineFile(doc.Name, doc.Chomp ? HeredocSyntax.StripLeadingTabs(content) : content, doc.Expand));
            }
            else
            {
                sources.Add(src);
            }
        }
        return (sources, inline, dest);
    }

    private OnbuildInstruction Onbuild(Split s, IReadOnlyList<Heredoc> heredocs)
    {
        if (s.Args.Length == 0) throw Fail("ONBUILD requires at least one argument: ONBUILD <INSTRUCTION>");
        NoFlags(s);
        var child = SplitLine(s.Args);
        var trigger = child.Keyword.ToUpperInvariant();
        switch (trigger)
        {
            case "ONBUILD": throw Fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            case "MAINTAINER" or "FROM": throw Fail($"{trigger} isn't allowed as an ONBUILD trigger");
        }
        var instruction = Build(child, heredocs);
        var expression = StripOnbuildKeyword(s.Line);
        foreach (var doc in heredocs) expression += "\n" + doc.Content + doc.Name;
        return new OnbuildInstruction { Trigger = instruction, Expression = expression };
    }

    private static string StripOnbuildKeyword(string line)
    {
        int i = 0;
        while (i < line.Length && line[i] is ' ' or '\t' or '\n' or '\f' or '\r') i++;
        if (line.Length - i >= 7 && line.AsSpan(i, 7).Equals("ONBUILD", StringComparison.OrdinalIgnoreCase)) i += 7;
        while (i < line.Length && line[i] is ' ' or '\t' or '\n' or '\f' or '\r') i++;
        return line[i..];
    }

    // ---- argument syntaxes shared by several instructions ----

    private CommandLine Command(Split s) => CommandFrom(s.Args);

    /// <summary>JSON array (exec form) when it parses as one, else the text itself (shell form).</summary>
    private CommandLine CommandFrom(string args)
    {
        if (args.Length == 0) return new CommandLine([], false);
        return JsonArgs.TryParse(args, out var values) switch
        {
            JsonArgs.Outcome.Strings => new CommandLine(values, true),
            JsonArgs.Outcome.NotStrings => throw Fail(JsonArgs.NotStringsMessage),
            _ => new CommandLine([args], false),
        };
    }

    /// <summary>JSON array when it parses as one, else whitespace-separated words.</summary>
    private (List<string> Values, bool Json) MaybeJsonList(string args) =>
        JsonArgs.TryParse(args, out var values) switch
        {
            JsonArgs.Outcome.Strings => (values, true),
            JsonArgs.Outcome.NotStrings => throw Fail(JsonArgs.NotStringsMessage),
            _ => (WordSplitter.WhitespaceFields(args), false),
        };

    /// <summary><c>k=v k2="v 2"</c>, or the legacy <c>k the value</c> (one pair, the rest of the line).</summary>
    private List<KeyValue> KeyValues(Split s)
    {
        var keyword = s.Lower.ToUpperInvariant();
        var words = WordSplitter.QuoteAwareWords(s.Args, escape);
        if (words.Count == 0) throw Fail($"{keyword} requires at least one argument: {keyword} <key>=<value> ...");
        var pairs = new List<KeyValue>();
        if (!words[0].Contains('='))
        {
            var (key, value) = WordSplitter.SplitFirst(s.Args);
            if (value.Length == 0) throw Fail($"{keyword} must have two arguments: {keyword} <key>=<value>");
            pairs.Add(new KeyValue(key, value, Legacy: true));
            return pairs;
        }
        foreach (var word in words)
        {
            int eq = word.IndexOf('=');
            if (eq < 0) throw Fail($"Syntax error - can't find = in \"{word}\". Must be of the form: name=value");
            if (eq == 0) throw Fail($"{keyword} names can not be blank");
            pairs.Add(new KeyValue(word[..eq], word[(eq + 1)..]));
        }
        return pairs;
    }

    private List<string> AtLeastOne(Split s, List<string> values)
    {
        if (values.Count == 0) throw Fail($"{s.Lower.ToUpperInvariant()} requires at least one argument");
        return values;
    }

    private string ExactlyOne(Split s)
    {
        if (s.Args.Length == 0) throw Fail($"{s.Lower.ToUpperInvariant()} requires exactly one argument");
        return s.Args;
    }

    private InstructionParser NoFlags(Split s)
    {
        Flags(s, new FlagSet(s.Lower.ToUpperInvariant()));
        return this;
    }

    private FlagSet Flags(Split s, FlagSet set)
    {
        if (set.Parse(s.Flags) is { } error) throw Fail(error);
        return set;
    }

    private DockerfileSyntaxException Fail(string reason) => new(_at, reason, reader.Lines.Count >= _at.Line ? reader.Lines[_at.Line - 1] : "");
}
