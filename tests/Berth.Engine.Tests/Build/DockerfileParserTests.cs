using Berth.Engine.Build.Dockerfile;

namespace Berth.Engine.Tests.Build;

public class DockerfileParserTests
{
    private static DockerfileAst Parse(string text) => DockerfileParser.Parse(text, "Dockerfile");

    private static T Single<T>(string text) where T : Instruction =>
        Assert.IsType<T>(Parse("FROM busybox\n" + text).Stages[0].Instructions.Single());

    private static DockerfileSyntaxException Error(string text) =>
        Assert.Throws<DockerfileSyntaxException>(() => Parse(text));

    [Fact]
    public void UnknownInstructionNamesFileLineColumnAndSuggests()
    {
        var e = Error("FROM busybox\nCOPYY a b\n");
        Assert.Equal("Dockerfile:2:1: unknown instruction: COPYY (did you mean COPY?)", e.Message);
        Assert.Equal("COPYY a b", e.SourceLine);
        Assert.Equal(2, e.Location.Line);
        Assert.Equal(1, e.ExitCode);
        var lower = Error("FROM busybox\n  evn A=b\n");
        Assert.Equal("Dockerfile:2:3: unknown instruction: evn (did you mean env?)", lower.Message);
    }

    [Fact]
    public void ErrorMessagesAreOneLine()
    {
        var e = Error("FROM busybox\nRUN <<EOF\nline\n");
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("unterminated heredoc", e.Message);
        Assert.StartsWith("Dockerfile:2:1: ", e.Message);
    }

    [Fact]
    public void FixtureDockerfileParses()
    {
        var text = File.ReadAllText("/work/shared/testdata/fixture-src/Dockerfile");
        var ast = DockerfileParser.Parse(text);
        var stage = Assert.Single(ast.Stages);
        Assert.Equal("localbase:1", stage.From.BaseName);
        Assert.Equal(["RUN", "RUN", "COPY", "ENV", "WORKDIR", "USER", "EXPOSE", "LABEL", "CMD"], stage.Instructions.Select(i => i.Keyword));
        var run = Assert.IsType<RunInstruction>(stage.Instructions[0]);
        Assert.StartsWith("mkdir -p /app/data /app/gone /opq && echo one", run.Command.Args[0]);
        Assert.Contains(" && ln /app/data/a.txt", run.Command.Args[0]);
        Assert.Equal(2, run.Location.Line);
        Assert.Equal(4, run.EndLine);
        var env = Assert.IsType<EnvInstruction>(stage.Instructions[3]);
        Assert.Equal(["GREETING=hello", "APP_HOME=/app"], env.Variables.Select(v => v.ToString()));
        var cmd = Assert.IsType<CmdInstruction>(stage.Instructions[8]);
        Assert.True(cmd.Command.IsExecForm);
        Assert.Equal(["cat", "/app/hello.txt"], cmd.Command.Args);
    }

    // ---- format: comments, whitespace, continuations ----

    [Fact]
    public void CommentsAndLeadingWhitespaceAreIgnored()
    {
        var ast = Parse("# Comment\n        # this is a comment-line\n    RUN echo hello\nRUN echo world\n".Insert(0, "FROM busybox\n"));
        Assert.Equal(["echo hello", "echo world"], ast.Stages[0].Instructions.Select(i => ((RunInstruction)i).Command.Args[0]));
        Assert.Equal(5, ast.Stages[0].Instructions[0].Location.Column);
    }

    [Fact]
    public void HashInsideArgumentsIsNotAComment()
    {
        var run = Single<RunInstruction>("RUN echo 'we are running some # of cool things'");
        Assert.Equal("echo 'we are running some # of cool things'", run.Command.Args[0]);
    }

    [Fact]
    public void CommentLinesInsideAContinuationAreRemoved()
    {
        var run = Single<RunInstruction>("RUN echo hello \\\n# comment\nworld");
        Assert.Equal("echo hello world", run.Command.Args[0]);
    }

    [Fact]
    public void WhitespaceInsideContinuedArgumentsIsKept()
    {
        var run = Single<RunInstruction>("RUN echo \"\\\n     hello\\\n     world\"");
        Assert.Equal("echo \"     hello     world\"", run.Command.Args[0]);
    }

    [Fact]
    public void EmptyContinuationLinesAreSkippedWithAWarning()
    {
        var ast = Parse("FROM busybox\nRUN echo a \\\n\n   \nb\nRUN next\n");
        var runs = ast.Stages[0].Instructions.Cast<RunInstruction>().ToList();
        Assert.Equal(["echo a b", "next"], runs.Select(r => r.Command.Args[0]));
        var w = Assert.Single(ast.Warnings);
        Assert.Equal("NoEmptyContinuation", w.Rule);
        Assert.Equal(5, w.Location.Line);
    }

    [Fact]
    public void ContinuationAtEndOfFileEndsTheInstruction()
    {
        var run = Single<RunInstruction>("RUN echo hi \\");
        Assert.Equal("echo hi", run.Command.Args[0]);
    }

    [Fact]
    public void EscapedEscapeAtEndOfLineIsNotAContinuation()
    {
        var ast = Parse("FROM busybox\nRUN echo a\\\\\nRUN echo b\n");
        Assert.Equal(2, ast.Stages[0].Instructions.Count);
        Assert.Equal("echo a\\\\", ((RunInstruction)ast.Stages[0].Instructions[0]).Command.Args[0]);
    }

    [Fact]
    public void ContinuationAllowsTrailingSpacesAfterEscape()
    {
        var run = Single<RunInstruction>("RUN a \\   \n b");
        Assert.Equal("a  b", run.Command.Args[0]);
    }

    [Fact]
    public void ByteOrderMarkAndCrlfAreAccepted()
    {
        var ast = Parse("\uFEFFFROM busybox\r\nRUN echo a \\\r\n  b\r\n");
        Assert.Equal("echo a   b", ((RunInstruction)ast.Stages[0].Instructions[0]).Command.Args[0]);
    }

    [Fact]
    public void InstructionsAreCaseInsensitive()
    {
        var ast = Parse("from busybox as Build\nrun echo\nCopy a b\n");
        Assert.Equal("build", ast.Stages[0].Name);
        Assert.Equal(["RUN", "COPY"], ast.Stages[0].Instructions.Select(i => i.Keyword));
        Assert.Equal("run echo", ast.Stages[0].Instructions[0].Original);
    }

    // ---- parser directives ----

    [Fact]
    public void DirectivesAtTheTopAreRead()
    {
        var ast = Parse("# syntax=docker/dockerfile:1\n# escape=`\n#  CHECK = skip=all \nFROM busybox\n");
        Assert.Equal("docker/dockerfile:1", ast.Directives.Syntax);
        Assert.Equal('`', ast.Directives.Escape);
        Assert.Equal("skip=all", ast.Directives.Check);
    }

    [Theory]
    [InlineData("#directive=value")]
    [InlineData("# escape =`")]
    [InlineData("#\tescape= `")]
    [InlineData("# escape = `")]
    [InlineData("#\t  eScApE=`")]
    public void DirectiveWhitespaceAndCaseVariantsAreEquivalent(string line)
    {
        var ast = Parse(line.Replace("directive=value", "escape=`") + "\nFROM busybox\n");
        Assert.Equal('`', ast.Directives.Escape);
    }

    [Fact]
    public void DirectivesAfterACommentBlankLineOrInstructionAreComments()
    {
        Assert.Equal('\\', Parse("# About my dockerfile\n# escape=`\nFROM busybox\n").Directives.Escape);
        Assert.Equal('\\', Parse("\n# escape=`\nFROM busybox\n").Directives.Escape);
        Assert.Equal('\\', Parse("FROM busybox\n# escape=`\n").Directives.Escape);
        Assert.Null(Parse("# unknowndirective=value\n# syntax=value\nFROM x\n").Directives.Syntax);
    }

    [Fact]
    public void DirectiveContinuationIsNotADirective()
    {
        // "# direc \" is a plain comment; the next line is then an (unknown) instruction.
        var e = Error("# direc \\\ntive=value\nFROM busybox\n");
        Assert.Contains("unknown instruction: tive=value", e.Message);
    }

    [Fact]
    public void DuplicateDirectiveIsAnError()
    {
        var e = Error("# escape=`\n# escape=\\\nFROM busybox\n");
        Assert.StartsWith("Dockerfile:2:1: only one escape parser directive can be used", e.Message);
    }

    [Fact]
    public void InvalidEscapeTokenIsAnError()
    {
        var e = Error("# escape=x\nFROM busybox\n");
        Assert.Contains("invalid escape token 'x' does not match ` or \\", e.Message);
    }

    [Fact]
    public void BacktickEscapeContinuesLinesAndLeavesBackslashesAlone()
    {
        var ast = Parse("# escape=`\n\nFROM microsoft/nanoserver\nCOPY testfile.txt c:\\\nRUN dir c:\\\n");
        var copy = Assert.IsType<CopyInstruction>(ast.Stages[0].Instructions[0]);
        Assert.Equal("c:\\", copy.Destination);
        var run = Assert.IsType<RunInstruction>(ast.Stages[0].Instructions[1]);
        Assert.Equal("dir c:\\", run.Command.Args[0]);
        var cont = Parse("# escape=`\nFROM x\nRUN a `\n b\n");
        Assert.Equal("a  b", ((RunInstruction)cont.Stages[0].Instructions[0]).Command.Args[0]);
    }

    [Fact]
    public void WithoutEscapeDirectiveATrailingBackslashJoinsLines()
    {
        // The reference's cautionary example: "c:\" then "RUN dir c:" become one COPY instruction.
        var ast = Parse("FROM microsoft/nanoserver\nCOPY testfile.txt c:\\\nRUN dir c:\n");
        var copy = Assert.IsType<CopyInstruction>(Assert.Single(ast.Stages[0].Instructions));
        Assert.Equal(["testfile.txt", "c:RUN", "dir"], copy.Sources);
        Assert.Equal("c:", copy.Destination);
        // An escaped escape at the end of a line is not a continuation (BuildKit's rule).
        var escaped = Parse("FROM microsoft/nanoserver\nCOPY testfile.txt c:\\\\\nRUN dir c:\\\n");
        Assert.Equal(2, escaped.Stages[0].Instructions.Count);
        Assert.Equal("c:\\\\", ((CopyInstruction)escaped.Stages[0].Instructions[0]).Destination);
    }

    // ---- FROM ----

    [Fact]
    public void FromWithPlatformAndStageName()
    {
        var ast = Parse("FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nFROM build\nFROM scratch\n");
        Assert.Equal(3, ast.Stages.Count);
        var from = ast.Stages[0].From;
        Assert.Equal("golang:1.22", from.BaseName);
        Assert.Equal("build", from.StageName);
        Assert.Equal("$BUILDPLATFORM", from.Platform);
        Assert.Equal(["--platform=$BUILDPLATFORM"], from.Flags);
        Assert.Null(ast.Stages[1].Name);
        Assert.Equal(2, ast.Stages[2].Index);
    }

    [Theory]
    [InlineData("FROM", "FROM requires either one or three arguments")]
    [InlineData("FROM a b", "FROM requires either one or three arguments")]
    [InlineData("FROM a AS 1st", "invalid name for build stage: \"1st\"")]
    [InlineData("FROM a AS my@stage", "invalid name for build stage")]
    [InlineData("FROM --plaform=linux/amd64 a", "unknown flag: --plaform (did you mean --platform?)")]
    [InlineData("FROM --platform a", "missing a value on flag: --platform")]
    public void BadFromLines(string line, string reason)
    {
        Assert.Contains(reason, Error(line + "\n").Message);
    }

    [Fact]
    public void InstructionBeforeFromIsAnError()
    {
        var e = Error("ARG V=1\nRUN echo\nFROM busybox\n");
        Assert.StartsWith("Dockerfile:2:1: RUN before the first FROM", e.Message);
        Assert.Contains("no FROM", Error("ARG A\n").Message);
        Assert.Contains("file with no instructions", Error("# only a comment\n\n").Message);
        Assert.Contains("file with no instructions", Error("").Message);
    }

    [Fact]
    public void ArgsBeforeFromAreGlobal()
    {
        var ast = Parse("ARG  CODE_VERSION=latest\nFROM base:${CODE_VERSION}\nCMD  /code/run-app\n\nFROM extras:${CODE_VERSION}\nCMD  /code/run-extras\n");
        var global = Assert.Single(ast.GlobalArgs);
        Assert.Equal(new ArgDeclaration("CODE_VERSION", "latest"), global.Args[0]);
        Assert.Equal("base:${CODE_VERSION}", ast.Stages[0].From.BaseName);
        Assert.Equal("/code/run-extras", ((CmdInstruction)ast.Stages[1].Instructions[0]).Command.Args[0]);
    }

    // ---- RUN / CMD / ENTRYPOINT / SHELL ----

    [Fact]
    public void ShellAndExecForms()
    {
        var shell = Single<RunInstruction>("RUN source $HOME/.bashrc && \\\necho $HOME");
        Assert.False(shell.Command.IsExecForm);
        Assert.Equal(["source $HOME/.bashrc && echo $HOME"], shell.Command.Args);
        var exec = Single<EntrypointInstruction>("ENTRYPOINT [\"/bin/bash\", \"-c\", \"echo hello\"]");
        Assert.True(exec.Command.IsExecForm);
        Assert.Equal(["/bin/bash", "-c", "echo hello"], exec.Command.Args);
        var escaped = Single<RunInstruction>("RUN [\"c:\\\\windows\\\\system32\\\\tasklist.exe\"]");
        Assert.Equal(["c:\\windows\\system32\\tasklist.exe"], escaped.Command.Args);
    }

    [Theory]
    [InlineData("RUN [\"c:\\windows\\system32\\tasklist.exe\"]")]
    [InlineData("CMD ['echo', 'single quotes']")]
    [InlineData("CMD [\"unterminated\"")]
    [InlineData("CMD [\"a\" \"b\"]")]
    [InlineData("CMD [\"a\"] trailing")]
    public void InvalidJsonFallsBackToShellForm(string line)
    {
        var instruction = Parse("FROM x\n" + line + "\n").Stages[0].Instructions[0];
        var command = instruction switch
        {
            RunInstruction r => r.Command,
            CmdInstruction c => c.Command,
            _ => throw new InvalidOperationException(),
        };
        Assert.False(command.IsExecForm);
        Assert.Equal(line[(line.IndexOf(' ') + 1)..], command.Args[0]);
    }

    [Theory]
    [InlineData("CMD [\"a\", 1]")]
    [InlineData("RUN [\"a\", [\"nested\"]]")]
    [InlineData("ENTRYPOINT [null]")]
    [InlineData("COPY [\"a\", {\"b\": 1}]")]
    public void JsonArraysOfNonStringsAreErrors(string line)
    {
        Assert.Contains("arrays must be comprised of strings only", Error("FROM x\n" + line + "\n").Message);
    }

    [Fact]
    public void EmptyExecFormCmdIsAllowed()
    {
        var cmd = Single<CmdInstruction>("CMD []");
        Assert.True(cmd.Command.IsExecForm);
        Assert.Empty(cmd.Command.Args);
    }

    [Fact]
    public void RunFlagsAreParsedAndKept()
    {
        var run = Single<RunInstruction>("RUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=build,source=/out,target=/in --network=none --security=insecure make");
        Assert.Equal(["type=cache,target=/root/.cache", "type=bind,from=build,source=/out,target=/in"], run.MountSpecs);
        Assert.Equal("none", run.Network);
        Assert.Equal("insecure", run.Security);
        Assert.Equal(["make"], run.Command.Args);
        Assert.Equal(4, run.Flags.Count);
        var plain = Single<RunInstruction>("RUN make");
        Assert.Equal("default", plain.Network);
        Assert.Equal("sandbox", plain.Security);
    }

    [Theory]
    [InlineData("RUN --network=bridge x", "invalid network mode \"bridge\"")]
    [InlineData("RUN --security=root x", "security \"root\" is not valid")]
    [InlineData("RUN --mount=type=nfs,target=/x x", "unsupported mount type \"nfs\"")]
    [InlineData("RUN --mount=type=cache,target=/x,foo=1 x", "unexpected key 'foo'")]
    [InlineData("RUN --mount=target=/x,from=$STAGE x", "'from' doesn't support variable expansion")]
    [InlineData("RUN --mount=type=bind,uid=1,target=/x x", "uid not allowed for \"bind\" type mounts")]
    [InlineData("RUN --mount=type=secret x", "invalid secret mount")]
    [InlineData("RUN --mount=type=tmpfs,target=/t,sharing=shared x", "invalid cache sharing set for tmpfs mount")]
    [InlineData("RUN --mount=type=bind,required x", "unexpected key 'required' for mount type 'bind'")]
    [InlineData("RUN --network=none", "RUN requires at least one argument")]
    [InlineData("RUN", "RUN requires at least one argument")]
    [InlineData("RUN --device=/dev/fuse x", "unknown flag: --device")]
    [InlineData("RUN --network x", "missing a value on flag: --network")]
    [InlineData("RUN --network=none --network=host x", "duplicate flag specified: --network")]
    public void BadRunFlags(string line, string reason)
    {
        Assert.Contains(reason, Error("FROM x\n" + line + "\n").Message);
    }

    [Fact]
    public void DoubleDashEndsFlags()
    {
        var run = Single<RunInstruction>("RUN -- --not-a-flag");
        Assert.Equal(["--not-a-flag"], run.Command.Args);
        Assert.Empty(run.Flags);
    }

    [Fact]
    public void CmdAndEntrypointTakeNoFlags()
    {
        Assert.Contains("unknown flag: --help (CMD takes no flags)", Error("FROM x\nCMD --help\n").Message);
    }

    [Fact]
    public void ShellMustBeJson()
    {
        var shell = Single<ShellInstruction>("SHELL [\"powershell\",\"-command\"]");
        Assert.Equal(["powershell", "-command"], shell.Shell);
        Assert.Contains("SHELL requires the arguments to be in JSON form", Error("FROM x\nSHELL /bin/bash -c\n").Message);
        Assert.Contains("SHELL requires at least one argument", Error("FROM x\nSHELL []\n").Message);
    }

    // ---- LABEL / ENV / ARG ----

    [Fact]
    public void LabelExamplesFromTheReference()
    {
        var ast = Parse("FROM x\nLABEL \"com.example.vendor\"=\"ACME Incorporated\"\nLABEL com.example.label-with-value=\"foo\"\nLABEL version=\"1.0\"\n" +
                        "LABEL description=\"This text illustrates \\\nthat label-values can span multiple lines.\"\n" +
                        "LABEL multi.label1=\"value1\" \\\n      multi.label2=\"value2\" \\\n      other=\"value3\"\n");
        var labels = ast.Stages[0].Instructions.Cast<LabelInstruction>().SelectMany(l => l.Labels).ToList();
        Assert.Equal(["\"com.example.vendor\"", "com.example.label-with-value", "version", "description", "multi.label1", "multi.label2", "other"], labels.Select(l => l.Key));
        Assert.Equal("\"ACME Incorporated\"", labels[0].Value);
        Assert.Equal("\"This text illustrates that label-values can span multiple lines.\"", labels[3].Value);
        Assert.Equal("\"value3\"", labels[6].Value);
    }

    [Fact]
    public void EnvBothForms()
    {
        var env = Single<EnvInstruction>("ENV MY_NAME=\"John Doe\" MY_DOG=Rex\\ The\\ Dog \\\n    MY_CAT=fluffy");
        Assert.Equal(["MY_NAME=\"John Doe\"", "MY_DOG=Rex\\ The\\ Dog", "MY_CAT=fluffy"], env.Variables.Select(v => v.ToString()));
        Assert.All(env.Variables, v => Assert.False(v.Legacy));
        var legacy = Single<EnvInstruction>("ENV ONE TWO= THREE=world");
        var pair = Assert.Single(legacy.Variables);
        Assert.Equal("ONE", pair.Key);
        Assert.Equal("TWO= THREE=world", pair.Value);
        Assert.True(pair.Legacy);
    }

    [Theory]
    [InlineData("ENV", "ENV requires at least one argument")]
    [InlineData("ENV A", "ENV must have two arguments")]
    [InlineData("ENV A=1 B", "can't find = in \"B\"")]
    [InlineData("ENV =1", "ENV names can not be blank")]
    [InlineData("LABEL =x", "LABEL names can not be blank")]
    [InlineData("ARG", "ARG requires at least one argument")]
    [InlineData("ARG =x", "ARG names can not be blank")]
    [InlineData("ENV --x=1 A=1", "unknown flag: --x (ENV takes no flags)")]
    public void BadKeyValueInstructions(string line, string reason)
    {
        Assert.Contains(reason, Error("FROM x\n" + line + "\n").Message);
    }

    [Fact]
    public void ArgSeveralWithDefaults()
    {
        var arg = Single<ArgInstruction>("ARG user1=someuser buildno=1 plain quoted=\"a b\" empty=");
        Assert.Equal(
            [new ArgDeclaration("user1", "someuser"), new ArgDeclaration("buildno", "1"), new ArgDeclaration("plain", null),
             new ArgDeclaration("quoted", "\"a b\""), new ArgDeclaration("empty", "")],
            arg.Args);
    }

    // ---- EXPOSE / VOLUME / USER / WORKDIR / STOPSIGNAL / MAINTAINER ----

    [Fact]
    public void SimpleInstructions()
    {
        Assert.Equal(["80/tcp", "80/udp", "${PORT}"], Single<ExposeInstruction>("EXPOSE 80/tcp   80/udp ${PORT}").Ports);
        Assert.Equal(["/var/log/"], Single<VolumeInstruction>("VOLUME [\"/var/log/\"]").Paths);
        Assert.Equal(["/var/log", "/var/db"], Single<VolumeInstruction>("VOLUME /var/log /var/db").Paths);
        Assert.Equal("patrick:staff", Single<UserInstruction>("USER patrick:staff").User);
        Assert.Equal("/path/to/workdir", Single<WorkdirInstruction>("WORKDIR /path/to/workdir").Path);
        Assert.Equal("SIGKILL", Single<StopSignalInstruction>("STOPSIGNAL SIGKILL").Signal);
        Assert.Equal("Sven <sven@example.org>", Single<MaintainerInstruction>("MAINTAINER Sven <sven@example.org>").Maintainer);
    }

    [Theory]
    [InlineData("EXPOSE", "EXPOSE requires at least one argument")]
    [InlineData("VOLUME", "VOLUME requires at least one argument")]
    [InlineData("VOLUME [\"\"]", "VOLUME specified can not be an empty string")]
    [InlineData("USER", "USER requires exactly one argument")]
    [InlineData("WORKDIR", "WORKDIR requires exactly one argument")]
    [InlineData("STOPSIGNAL", "STOPSIGNAL requires exactly one argument")]
    [InlineData("MAINTAINER", "MAINTAINER requires exactly one argument")]
    public void MissingArguments(string line, string reason)
    {
        Assert.Contains(reason, Error("FROM x\n" + line + "\n").Message);
    }

    // ---- ADD / COPY ----

    [Fact]
    public void CopyWithAllFlags()
    {
        var copy = Single<CopyInstruction>("COPY --from=build --chown=55:mygroup --chmod=644 --link --parents --exclude=*.txt --exclude=*.md a b /dest/");
        Assert.Equal("build", copy.From);
        Assert.Equal("55:mygroup", copy.Chown);
        Assert.Equal("644", copy.Chmod);
        Assert.True(copy.Link);
        Assert.True(copy.Parents);
        Assert.Equal(["*.txt", "*.md"], copy.Excludes);
        Assert.Equal(["a", "b"], copy.Sources);
        Assert.Equal("/dest/", copy.Destination);
        var json = Single<CopyInstruction>("COPY [\"my file\", \"/dst dir/\"]");
        Assert.True(json.IsJsonForm);
        Assert.Equal(["my file"], json.Sources);
        Assert.Equal("/dst dir/", json.Destination);
        Assert.False(Single<CopyInstruction>("COPY --link=false a b").Link);
    }

    [Fact]
    public void AddWithAllFlags()
    {
        var add = Single<AddInstruction>("ADD --chown=1 --chmod=755 --checksum=sha256:abc --keep-git-dir=true --link --unpack=false --exclude=.git https://example.com/x.tar.gz /dl/");
        Assert.Equal("1", add.Chown);
        Assert.Equal("755", add.Chmod);
        Assert.Equal("sha256:abc", add.Checksum);
        Assert.True(add.KeepGitDir);
        Assert.True(add.Link);
        Assert.False(add.Unpack);
        Assert.Equal([".git"], add.Excludes);
        Assert.Null(Single<AddInstruction>("ADD a b").Unpack);
    }

    [Theory]
    [InlineData("COPY a", "COPY requires at least two arguments")]
    [InlineData("ADD", "ADD requires at least two arguments")]
    [InlineData("COPY --chwon=1 a b", "unknown flag: --chwon (did you mean --chown?)")]
    [InlineData("COPY --parents=maybe a b", "expecting boolean value for flag --parents, not: maybe")]
    [InlineData("COPY --link= a b", "missing a value on flag: --link")]
    [InlineData("COPY --from a b", "missing a value on flag: --from")]
    [InlineData("ADD --from=x a b", "unknown flag: --from")]
    [InlineData("COPY a <<EOF\nx\nEOF", "COPY cannot accept a heredoc as a destination")]
    public void BadCopyAndAdd(string line, string reason)
    {
        Assert.Contains(reason, Error("FROM x\n" + line + "\n").Message);
    }

    // ---- ONBUILD ----

    [Fact]
    public void OnbuildWrapsAnInstruction()
    {
        var onbuild = Single<OnbuildInstruction>("ONBUILD ADD . /app/src");
        var add = Assert.IsType<AddInstruction>(onbuild.Trigger);
        Assert.Equal(["."], add.Sources);
        Assert.Equal("ADD . /app/src", onbuild.Expression);
        var run = Single<OnbuildInstruction>("onbuild RUN --mount=from=config,target=/opt/appconfig /usr/local/bin/python-build --dir /app/src");
        Assert.Equal(["/usr/local/bin/python-build --dir /app/src"], ((RunInstruction)run.Trigger).Command.Args);
        Assert.Equal("RUN --mount=from=config,target=/opt/appconfig /usr/local/bin/python-build --dir /app/src", run.Expression);
    }

    [Theory]
    [InlineData("ONBUILD ONBUILD RUN x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")]
    [InlineData("ONBUILD FROM x", "FROM isn't allowed as an ONBUILD trigger")]
    [InlineData("ONBUILD maintainer me", "MAINTAINER isn't allowed as an ONBUILD trigger")]
    [InlineData("ONBUILD", "ONBUILD requires at least one argument")]
    [InlineData("ONBUILD RUNN x", "unknown instruction: RUNN (did you mean RUN?)")]
    public void BadOnbuild(string line, string reason)
    {
        Assert.Contains(reason, Error("FROM x\n" + line + "\n").Message);
    }

    [Fact]
    public void OnbuildTriggerFromImageConfigParses()
    {
        var at = new SourceLocation("Dockerfile", 3, 1);
        var trigger = DockerfileParser.ParseTrigger("RUN <<EOF\necho hi\nEOF", at);
        var run = Assert.IsType<RunInstruction>(trigger);
        Assert.Equal("echo hi\n", run.Heredocs[0].Content);
        Assert.Equal(at, run.Location);
        var e = Assert.Throws<DockerfileSyntaxException>(() => DockerfileParser.ParseTrigger("FROM x", at));
        Assert.StartsWith("Dockerfile:3:1: FROM isn't allowed as an ONBUILD trigger", e.Message);
        Assert.Throws<DockerfileSyntaxException>(() => DockerfileParser.ParseTrigger("RUNN x", at));
    }

    // ---- HEALTHCHECK ----

    [Fact]
    public void HealthcheckForms()
    {
        var none = Single<HealthcheckInstruction>("HEALTHCHECK NONE");
        Assert.True(none.IsNone);
        var shell = Single<HealthcheckInstruction>("HEALTHCHECK --interval=5m --timeout=3s --start-period=1m30s --start-interval=500ms --retries=4 \\\n  CMD curl -f http://localhost/ || exit 1");
        Assert.Equal(["CMD-SHELL", "curl -f http://localhost/ || exit 1"], shell.Test);
        Assert.Equal(TimeSpan.FromMinutes(5), shell.Interval);
        Assert.Equal(TimeSpan.FromSeconds(3), shell.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(90), shell.StartPeriod);
        Assert.Equal(TimeSpan.FromMilliseconds(500), shell.StartInterval);
        Assert.Equal(4, shell.Retries);
        var exec = Single<HealthcheckInstruction>("HEALTHCHECK cmd [\"/bin/check\", \"-q\"]");
        Assert.Equal(["CMD", "/bin/check", "-q"], exec.Test);
        Assert.Equal(TimeSpan.Zero, exec.Interval);
    }

    [Theory]
    [InlineData("HEALTHCHECK", "HEALTHCHECK requires at least one argument")]
    [InlineData("HEALTHCHECK NONE x", "HEALTHCHECK NONE takes no arguments")]
    [InlineData("HEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD")]
    [InlineData("HEALTHCHECK PING x", "Unknown type \"PING\" in HEALTHCHECK (try CMD)")]
    [InlineData("HEALTHCHECK --interval=5 CMD x", "invalid duration \"5\" for --interval")]
    [InlineData("HEALTHCHECK --timeout=10us CMD x", "Interval \"timeout\" cannot be less than 1ms")]
    [InlineData("HEALTHCHECK --retries=-1 CMD x", "--retries cannot be negative (-1)")]
    [InlineData("HEALTHCHECK --retries=x CMD x", "invalid value \"x\" for --retries")]
    [InlineData("HEALTHCHECK --intervl=1s CMD x", "did you mean --interval?")]
    public void BadHealthchecks(string line, string reason)
    {
        Assert.Contains(reason, Error("FROM x\n" + line + "\n").Message);
    }

    // ---- locations ----

    [Fact]
    public void InstructionsKeepLocationAndOriginalText()
    {
        var ast = Parse("FROM busybox\n\n   RUN echo a \\\n     b\nCOPY x y\n");
        var run = ast.Stages[0].Instructions[0];
        Assert.Equal(new SourceLocation("Dockerfile", 3, 4), run.Location);
        Assert.Equal(4, run.EndLine);
        Assert.Equal("RUN echo a      b", run.Original);
        Assert.Equal(new SourceLocation("Dockerfile", 5, 1), ast.Stages[0].Instructions[1].Location);
        Assert.Equal("   RUN echo a \\", ast.LineText(3));
    }
}
