using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Build.Planning;
using Berth.Engine.Oci;

namespace Berth.Engine.Tests.Build;

public class BuildPlannerTests
{
    private static BuildPlan Plan(string dockerfile, string[]? buildArgs = null, string? target = null, BuildPlanOptions? options = null) =>
        BuildPlanner.Plan(DockerfileParser.Parse(dockerfile), BuildArgs.Parse(buildArgs ?? [], _ => null), target, options);

    private static DockerfileSyntaxException PlanError(string dockerfile, string[]? buildArgs = null, BuildPlanOptions? options = null) =>
        Assert.Throws<DockerfileSyntaxException>(() => Plan(dockerfile, buildArgs, options: options));

    private static T Step<T>(BuildPlan plan, int stage, int step) where T : Instruction =>
        Assert.IsType<T>(plan.Stages[stage].Steps[step].Expanded);

    private const string MultiStage = """
        FROM golang:1.22 AS build
        RUN make
        FROM alpine AS test
        RUN ./test
        FROM scratch
        COPY --from=build /out/app /app
        """;

    [Fact]
    public void DefaultTargetSkipsStagesItDoesNotNeed()
    {
        var plan = Plan(MultiStage);
        Assert.Equal([0, 2], plan.Stages.Select(s => s.Index));
        Assert.Equal(2, plan.Target.Index);
        Assert.Equal("stage-2", plan.Target.DisplayName);
        Assert.IsType<ScratchSource>(plan.Target.Base);
        Assert.Equal([0], plan.Target.DependsOn);
        Assert.Equal(new StageSource(0), plan.Target.Steps[0].CopySource);
        var build = plan.Stages[0];
        Assert.Equal("build", build.Name);
        Assert.Equal(new ImageSource(ImageReference.Parse("golang:1.22")), build.Base);
        Assert.Equal([[0], [2]], plan.Waves.Select(w => w.Select(s => s.Index)));
        Assert.Equal(4, plan.StepCount);
    }

    [Fact]
    public void TargetSelectsAStageAndItsDependencies()
    {
        var plan = Plan(MultiStage, target: "TEST");
        Assert.Equal([1], plan.Stages.Select(s => s.Index));
        Assert.Equal("test", plan.Target.Name);
    }

    [Fact]
    public void UnknownTargetIsAnError()
    {
        var e = Assert.Throws<BerthException>(() => Plan(MultiStage, target: "tset"));
        Assert.Equal("target stage \"tset\" could not be found (did you mean test?)", e.Message);
        Assert.Equal(1, e.ExitCode);
    }

    [Fact]
    public void IndependentStagesShareAWave()
    {
        var plan = Plan("""
            FROM busybox AS base
            RUN echo base
            FROM base AS a
            RUN echo a
            FROM busybox AS b
            RUN echo b
            FROM scratch AS unused
            FROM alpine
            COPY --from=a /x /x
            COPY --from=b /y /y
            RUN --mount=type=bind,from=base,target=/m true
            """);
        Assert.Equal([0, 1, 2, 4], plan.Stages.Select(s => s.Index));
        Assert.Equal([[0, 2], [1], [4]], plan.Waves.Select(w => w.Select(s => s.Index)));
        Assert.Equal([0, 1, 2], plan.Target.DependsOn);
        Assert.Equal(new StageSource(0), plan.Stages[1].Base);
    }

    [Fact]
    public void CopyFromIndexImageAndStage()
    {
        var plan = Plan("""
            FROM busybox
            RUN echo 0
            FROM busybox AS named
            FROM scratch
            COPY --from=0 /a /a
            COPY --from=NAMED /b /b
            COPY --from=nginx:latest /etc/nginx/nginx.conf /nginx.conf
            COPY ctx.txt /ctx.txt
            """);
        var steps = plan.Target.Steps;
        Assert.Equal(new StageSource(0), steps[0].CopySource);
        Assert.Equal(new StageSource(1), steps[1].CopySource);
        Assert.Equal(new ImageSource(ImageReference.Parse("nginx:latest")), steps[2].CopySource);
        Assert.Equal(ContextSource.Instance, steps[3].CopySource);
        Assert.Equal([ImageReference.Parse("nginx")], plan.Target.ImageDependencies);
    }

    [Theory]
    [InlineData("FROM a\nCOPY --from=Bad!Name /x /y\n", "Dockerfile:2:1: \"Bad!Name\" is neither a stage defined before this one nor a valid image reference")]
    [InlineData("FROM a AS build\nFROM b\nCOPY --from=Buld /x /y\n", "(did you mean build?)")]
    [InlineData("FROM a\nCOPY --from=5 /x /y\n", "Dockerfile:2:1: invalid stage index 5")]
    [InlineData("FROM a\nCOPY --from=0 /x /y\n", "cannot copy from stage \"0\", it needs to be defined before current stage \"stage-0\"")]
    [InlineData("FROM a AS one\nCOPY --from=two /x /y\nFROM b AS two\n", "cannot copy from stage \"two\", it needs to be defined before current stage \"one\"")]
    [InlineData("ARG S=build\nFROM a AS build\nFROM b\nCOPY --from=$S /x /y\n", "variable expansion is not supported for --from")]
    [InlineData("FROM a\nRUN --mount=from=later,target=/x true\nFROM b AS later\n", "cannot mount from stage \"later\"")]
    [InlineData("FROM $NOPE\n", "Dockerfile:1:1: base name ($NOPE) should not be blank")]
    [InlineData("FROM Busybox\n", "invalid base image name \"Busybox\"")]
    [InlineData("FROM --platform=linux a\n", "failed to parse platform linux")]
    [InlineData("FROM a\nENV X=${NOPE:?set-NOPE}\n", "Dockerfile:2:1: failed to process \"${NOPE:?set-NOPE}\": NOPE: set-NOPE")]
    [InlineData("FROM a\nEXPOSE 80/icmp\n", "invalid proto \"icmp\"")]
    [InlineData("FROM a\nEXPOSE 70000\n", "invalid port \"70000\"")]
    [InlineData("FROM a\nARG T=nfs\nRUN --mount=type=$T,target=/x true\n", "unsupported mount type \"nfs\"")]
    public void PlanErrorsNameTheLine(string dockerfile, string expected)
    {
        var e = PlanError(dockerfile);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.NotEmpty(e.SourceLine);
    }

    // ---- ARG scoping ----

    [Fact]
    public void GlobalArgsExpandFromLinesOnly()
    {
        const string df = """
            ARG VERSION=latest
            FROM busybox:$VERSION
            ENV SEEN=x${VERSION}x
            ARG VERSION
            RUN echo $VERSION
            """;
        var plan = Plan(df);
        Assert.Equal(new ImageSource(ImageReference.Parse("busybox:latest")), plan.Target.Base);
        Assert.Equal("xx", Step<EnvInstruction>(plan, 0, 0).Variables[0].Value);
        Assert.Equal([new KeyValuePair<string, string>("VERSION", "latest")], plan.Target.Steps[2].BuildArgs);

        var overridden = Plan(df, ["VERSION=1.36"]);
        Assert.Equal(new ImageSource(ImageReference.Parse("busybox:1.36")), overridden.Target.Base);
        Assert.Equal([new KeyValuePair<string, string>("VERSION", "1.36")], overridden.Target.Steps[2].BuildArgs);
        Assert.Equal("1.36", overridden.GlobalArgs["VERSION"]);
    }

    [Fact]
    public void ArgComesIntoEffectOnItsLine()
    {
        const string df = """
            FROM busybox
            USER ${username:-some_user}
            ARG username
            USER $username
            """;
        var plan = Plan(df, ["username=what_user"]);
        Assert.Equal("some_user", Step<UserInstruction>(plan, 0, 0).User);
        Assert.Equal("what_user", Step<UserInstruction>(plan, 0, 2).User);
        Assert.Equal("", Step<UserInstruction>(Plan(df), 0, 2).User);
    }

    [Fact]
    public void EnvOverridesArgOfTheSameName()
    {
        var plan = Plan("FROM ubuntu\nARG CONT_IMG_VER\nENV CONT_IMG_VER=v1.0.0\nRUN echo $CONT_IMG_VER\n", ["CONT_IMG_VER=v2.0.1"]);
        Assert.Empty(plan.Target.Steps[2].BuildArgs);
        const string df = "FROM ubuntu\nARG CONT_IMG_VER\nENV CONT_IMG_VER=${CONT_IMG_VER:-v1.0.0}\nRUN echo $CONT_IMG_VER\n";
        Assert.Equal("v1.0.0", Step<EnvInstruction>(Plan(df), 0, 1).Variables[0].Value);
        Assert.Equal("v2.0.1", Step<EnvInstruction>(Plan(df, ["CONT_IMG_VER=v2.0.1"]), 0, 1).Variables[0].Value);
    }

    [Fact]
    public void ArgsPassToStagesBasedOnTheDeclaringStageOnly()
    {
        var plan = Plan("""
            FROM busybox AS base
            ARG SHARED=yes
            FROM base AS child
            RUN echo $SHARED
            FROM busybox AS other
            RUN echo $SHARED
            FROM scratch
            COPY --from=child /a /a
            COPY --from=other /b /b
            """);
        Assert.Equal([new KeyValuePair<string, string>("SHARED", "yes")], plan.Stages[1].Steps[0].BuildArgs);
        Assert.Empty(plan.Stages[2].Steps[0].BuildArgs);
    }

    [Fact]
    public void ArgDefaultsSeeEarlierNamesAndPrecedenceIsBuildArgDefaultGlobal()
    {
        var plan = Plan("""
            ARG G=global
            FROM busybox
            ARG A=1 B=$A-two
            ARG G
            ARG D=default
            RUN true
            """, ["D=given"]);
        var args = plan.Target.Steps[3].BuildArgs.ToDictionary();
        Assert.Equal("1", args["A"]);
        Assert.Equal("1-two", args["B"]);
        Assert.Equal("global", args["G"]);
        Assert.Equal("given", args["D"]);
    }

    [Fact]
    public void AutomaticPlatformArgs()
    {
        var options = new BuildPlanOptions
        {
            BuildPlatform = new Platform { Os = "linux", Architecture = "amd64" },
            TargetPlatform = new Platform { Os = "linux", Architecture = "arm", Variant = "v7" },
        };
        var plan = Plan("""
            FROM --platform=$BUILDPLATFORM golang:1.22-${TARGETARCH} AS build
            ARG TARGETPLATFORM TARGETOS TARGETARCH TARGETVARIANT BUILDPLATFORM
            RUN echo $TARGETPLATFORM
            FROM alpine
            RUN echo $TARGETPLATFORM
            COPY --from=build /x /x
            """, options: options);
        Assert.Equal("linux/amd64", plan.Stages[0].Platform!.ToString());
        Assert.Equal(new ImageSource(ImageReference.Parse("golang:1.22-arm")), plan.Stages[0].Base);
        var args = plan.Stages[0].Steps[1].BuildArgs.ToDictionary();
        Assert.Equal("linux/arm/v7", args["TARGETPLATFORM"]);
        Assert.Equal("linux", args["TARGETOS"]);
        Assert.Equal("arm", args["TARGETARCH"]);
        Assert.Equal("v7", args["TARGETVARIANT"]);
        Assert.Equal("linux/amd64", args["BUILDPLATFORM"]);
        Assert.Empty(plan.Target.Steps[0].BuildArgs);
        Assert.Equal("default", plan.GlobalArgs["TARGETSTAGE"]);
    }

    [Fact]
    public void PredefinedProxyArgsStayOutOfKeysUnlessDeclared()
    {
        var plain = Plan("FROM ubuntu\nRUN echo hi\n", ["HTTP_PROXY=http://user:pass@proxy.lon.example.com"]);
        Assert.Equal("http://user:pass@proxy.lon.example.com", plain.PredefinedArgs["HTTP_PROXY"]);
        Assert.Empty(plain.Target.Steps[0].BuildArgs);
        Assert.DoesNotContain("proxy", plain.Target.Steps[0].CacheKey);
        Assert.Empty(plain.UnusedBuildArgs);
        var moved = Plan("FROM ubuntu\nRUN echo hi\n", ["HTTP_PROXY=http://user:pass@proxy.sfo.example.com"]);
        Assert.Equal(plain.Target.Steps[0].CacheKey, moved.Target.Steps[0].CacheKey);

        var declared = Plan("FROM ubuntu\nARG HTTP_PROXY\nRUN echo hi\n", ["HTTP_PROXY=http://proxy"]);
        Assert.Contains("http://proxy", declared.Target.Steps[1].CacheKey);
    }

    [Fact]
    public void UnusedBuildArgsAreListedLikeDocker()
    {
        var plan = Plan("ARG USED_IN_FROM\nFROM busybox\nARG USED\nFROM alpine AS skipped\nARG ONLY_SKIPPED\n", ["ZED=1", "USED=2", "ALPHA=3", "ONLY_SKIPPED=4", "USED_IN_FROM=5", "NO_PROXY=x", "TARGETARCH=amd64"], target: null);
        // The default target is the last stage, so USED (declared in stage 0 only) was not consumed.
        Assert.Equal(["ALPHA", "USED", "ZED"], plan.UnusedBuildArgs);
        var first = Plan("ARG USED_IN_FROM\nFROM busybox AS main\nARG USED\nFROM alpine AS skipped\nARG ONLY_SKIPPED\n", ["ZED=1", "USED=2", "ALPHA=3", "ONLY_SKIPPED=4", "USED_IN_FROM=5"], target: "main");
        Assert.Equal(["ALPHA", "ONLY_SKIPPED", "ZED"], first.UnusedBuildArgs);
        Assert.Equal("[Warning] One or more build-args [ALPHA ONLY_SKIPPED ZED] were not consumed", first.UnusedBuildArgsWarning);
        Assert.Null(Plan("FROM a\nARG X\n", ["X=1"]).UnusedBuildArgsWarning);
    }

    [Fact]
    public void BuildArgWithoutValueTakesTheEnvironment()
    {
        var args = BuildArgs.Parse(["FROM_ENV", "MISSING", "SET=v"], name => name == "FROM_ENV" ? "env-value" : null);
        Assert.True(args.TryGetValue("FROM_ENV", out var v) && v == "env-value");
        Assert.False(args.TryGetValue("MISSING", out _));
        Assert.True(args.Contains("MISSING"));
        var plan = BuildPlanner.Plan(DockerfileParser.Parse("FROM a\nARG MISSING=dflt\nRUN x\n"), args);
        Assert.Equal("dflt", plan.Target.Steps[1].BuildArgs.Single(a => a.Key == "MISSING").Value);
        Assert.Throws<BerthException>(() => BuildArgs.Parse(["=x"]));
    }

    // ---- expansion per instruction ----

    [Fact]
    public void EnvironmentReplacementExamplesFromTheReference()
    {
        var plan = Plan("FROM busybox\nENV FOO=/bar\nWORKDIR ${FOO}\nADD . $FOO\nCOPY \\$FOO /quux\n");
        Assert.Equal("/bar", Step<WorkdirInstruction>(plan, 0, 1).Path);
        var add = Step<AddInstruction>(plan, 0, 2);
        Assert.Equal(["."], add.Sources);
        Assert.Equal("/bar", add.Destination);
        var copy = Step<CopyInstruction>(plan, 0, 3);
        Assert.Equal(["$FOO"], copy.Sources);
        Assert.Equal("/quux", copy.Destination);
    }

    [Fact]
    public void EnvUsesOneValuePerVariableThroughoutAnInstruction()
    {
        var plan = Plan("FROM busybox\nENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc\n");
        var second = Step<EnvInstruction>(plan, 0, 1);
        Assert.Equal("hello", second.Variables.Single(v => v.Key == "def").Value);
        Assert.Equal("bye", Step<EnvInstruction>(plan, 0, 2).Variables[0].Value);
    }

    [Fact]
    public void QuotesAndEscapesAreRemovedFromExpandedValues()
    {
        var plan = Plan("FROM busybox\nENV MY_NAME=\"John Doe\" MY_DOG=Rex\\ The\\ Dog\nLABEL \"com.example.vendor\"=\"ACME $MY_NAME\" single='$MY_NAME'\nENV ONE TWO= THREE=world\n");
        Assert.Equal(["John Doe", "Rex The Dog"], Step<EnvInstruction>(plan, 0, 0).Variables.Select(v => v.Value));
        var labels = Step<LabelInstruction>(plan, 0, 1).Labels;
        Assert.Equal(new KeyValue("com.example.vendor", "ACME John Doe"), labels[0]);
        Assert.Equal("$MY_NAME", labels[1].Value);
        Assert.Equal("TWO= THREE=world", Step<EnvInstruction>(plan, 0, 2).Variables[0].Value);
    }

    [Fact]
    public void ExpandedAndUnexpandedInstructions()
    {
        var plan = Plan("""
            FROM busybox
            ARG UID=1000 PORTS="80 443/udp" SIG=SIGTERM DIR=/data NAME=app
            COPY --chown=$UID:$UID --chmod=0644 --from=0 src/$NAME /opt/$NAME/
            EXPOSE 8080 $PORTS 7000-7001
            VOLUME $DIR /logs
            STOPSIGNAL $SIG
            USER $UID
            RUN echo $NAME > /x
            CMD ["echo", "$NAME"]
            ENTRYPOINT echo $NAME
            HEALTHCHECK CMD check $NAME
            """.Replace("--from=0 ", ""));
        var copy = Step<CopyInstruction>(plan, 0, 1);
        Assert.Equal("1000:1000", copy.Chown);
        Assert.Equal(["src/app"], copy.Sources);
        Assert.Equal("/opt/app/", copy.Destination);
        Assert.Equal(["8080", "80", "443/udp", "7000-7001"], Step<ExposeInstruction>(plan, 0, 2).Ports);
        Assert.Equal(["8080/tcp", "80/tcp", "443/udp", "7000/tcp", "7001/tcp"], plan.Target.Steps[2].ExposedPorts);
        Assert.Equal(["/data", "/logs"], Step<VolumeInstruction>(plan, 0, 3).Paths);
        Assert.Equal("SIGTERM", Step<StopSignalInstruction>(plan, 0, 4).Signal);
        Assert.Equal("1000", Step<UserInstruction>(plan, 0, 5).User);
        Assert.Equal(["echo $NAME > /x"], Step<RunInstruction>(plan, 0, 6).Command.Args);
        Assert.Equal(["echo", "$NAME"], Step<CmdInstruction>(plan, 0, 7).Command.Args);
        Assert.Equal(["echo $NAME"], Step<EntrypointInstruction>(plan, 0, 8).Command.Args);
        Assert.Equal(["CMD-SHELL", "check $NAME"], Step<HealthcheckInstruction>(plan, 0, 9).Test);
    }

    [Fact]
    public void HeredocInlineFilesExpandUnlessQuoted()
    {
        var plan = Plan("FROM alpine\nARG FOO=bar\nCOPY <<-EOT /script.sh\n\techo \"hello ${FOO}\"\n\tEOT\nCOPY <<-\"EOT\" /script2.sh\n\techo \"hello ${FOO}\"\n\tEOT\nRUN <<EOF\necho $FOO\nEOF\n");
        Assert.Equal("echo \"hello bar\"\n", Step<CopyInstruction>(plan, 0, 1).InlineFiles[0].Content);
        Assert.Equal("echo \"hello ${FOO}\"\n", Step<CopyInstruction>(plan, 0, 2).InlineFiles[0].Content);
        Assert.Equal("echo $FOO\n", Step<RunInstruction>(plan, 0, 3).Heredocs[0].Content);
    }

    [Fact]
    public void RunMountsAreExpandedParsedAndSourced()
    {
        var plan = Plan("""
            FROM golang AS build
            FROM alpine
            ARG CACHE=/root/.cache
            RUN --mount=type=cache,target=$CACHE,id=go --mount=from=build,source=/out,target=/in --mount=target=/src --mount=type=secret,id=token make
            """);
        var mounts = plan.Target.Steps[1].Mounts;
        Assert.Equal(4, mounts.Count);
        Assert.Equal("cache", mounts[0].Mount.Type);
        Assert.Equal("/root/.cache", mounts[0].Mount.Target);
        Assert.False(mounts[0].Mount.ReadOnly);
        Assert.Equal(ScratchSource.Instance, mounts[0].Source);
        Assert.Equal(new StageSource(0), mounts[1].Source);
        Assert.True(mounts[1].Mount.ReadOnly);
        Assert.Equal(ContextSource.Instance, mounts[2].Source);
        Assert.Equal("secret", mounts[3].Mount.Type);
        Assert.Equal([0], plan.Target.DependsOn);
    }

    // ---- cache keys ----

    private const string CacheDockerfile = """
        FROM busybox
        COPY a.txt /a.txt
        ARG VERSION=1
        RUN echo build
        COPY b.txt /b.txt
        ENV V=$VERSION
        RUN echo $V
        """;

    [Fact]
    public void CacheKeysAreStableAndChangeOnlyWhereAnArgIsUsed()
    {
        var first = Plan(CacheDockerfile).Target.Steps.Select(s => s.CacheKey).ToList();
        var again = Plan(CacheDockerfile).Target.Steps.Select(s => s.CacheKey).ToList();
        Assert.Equal(first, again);
        var changed = Plan(CacheDockerfile, ["VERSION=2"]).Target.Steps.Select(s => s.CacheKey).ToList();
        Assert.Equal(first[0], changed[0]); // COPY before the ARG
        Assert.Equal(first[1], changed[1]); // the ARG line itself
        Assert.NotEqual(first[2], changed[2]); // RUN sees VERSION in its environment
        Assert.Equal(first[3], changed[3]); // COPY does not use it
        Assert.NotEqual(first[4], changed[4]); // ENV V=$VERSION
        Assert.NotEqual(first[5], changed[5]);
        Assert.Equal(first.Count, first.Distinct().Count());
    }

    [Fact]
    public void CacheKeysAreUnambiguous()
    {
        var a = Plan("FROM x\nRUN echo \"a\",\"b\"\n").Target.Steps[0].CacheKey;
        var b = Plan("FROM x\nRUN [\"echo \\\"a\\\"\", \"\\\"b\\\"\"]\n").Target.Steps[0].CacheKey;
        Assert.NotEqual(a, b);
        Assert.StartsWith("{\"v\":\"1\",\"op\":\"RUN\"", a);
        var copyContext = Plan("FROM x\nCOPY a /b\n").Target.Steps[0].CacheKey;
        var copyStage = Plan("FROM x AS s\nFROM y\nCOPY --from=s a /b\n").Target.Steps[0].CacheKey;
        Assert.NotEqual(copyContext, copyStage);
        Assert.Contains("\"from\":\"stage:0\"", copyStage);
    }

    // ---- base images and ONBUILD ----

    private sealed class FakeImages(Dictionary<string, BaseImageInfo> images) : IBaseImageResolver
    {
        public List<string> Asked { get; } = [];

        public Task<BaseImageInfo> ResolveAsync(ImageReference reference, Platform platform, CancellationToken cancellationToken)
        {
            lock (Asked) Asked.Add(reference.Familiar);
            return images.TryGetValue(reference.Familiar, out var info)
                ? Task.FromResult(info)
                : Task.FromException<BaseImageInfo>(new NotFoundException($"No such image: {reference.Familiar}"));
        }
    }

    [Fact]
    public void BaseImageEnvironmentIsExpandedAgainst()
    {
        var images = new FakeImages(new() { ["busybox:latest"] = new BaseImageInfo(["PATH=/bin:/sbin", "HOME=/root"], []) });
        var plan = Plan("FROM busybox\nENV PATH=$PATH:/opt/bin DIR=$HOME/x\n", options: new BuildPlanOptions { BaseImages = images });
        Assert.Equal(["/bin:/sbin:/opt/bin", "/root/x"], Step<EnvInstruction>(plan, 0, 0).Variables.Select(v => v.Value));
        // Without a PATH in the base image, PATH is docker's default.
        var scratch = Plan("FROM scratch\nENV PATH=$PATH:/x\n");
        Assert.Equal("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/x", Step<EnvInstruction>(scratch, 0, 0).Variables[0].Value);
    }

    [Fact]
    public void OnbuildTriggersOfABaseImageRunFirst()
    {
        var images = new FakeImages(new()
        {
            ["builder:1"] = new BaseImageInfo([], ["ADD . /app/src", "RUN /usr/local/bin/python-build --dir /app/src", "COPY --from=assets /a /a"]),
            ["alpine:latest"] = BaseImageInfo.Empty,
        });
        var plan = Plan("FROM alpine AS assets\nFROM alpine AS unused\nFROM builder:1\nRUN echo mine\n", options: new BuildPlanOptions { BaseImages = images });
        Assert.Equal([0, 2], plan.Stages.Select(s => s.Index));
        var steps = plan.Target.Steps;
        Assert.Equal(["ADD", "RUN", "COPY", "RUN"], steps.Select(s => s.Instruction.Keyword));
        Assert.Equal([true, true, true, false], steps.Select(s => s.IsOnBuildTrigger));
        Assert.Equal(3, steps[0].Instruction.Location.Line); // reported at the FROM
        Assert.Equal(new StageSource(0), steps[2].CopySource);
        Assert.Equal([0], plan.Target.DependsOn);
        Assert.Equal(["alpine:latest", "builder:1"], images.Asked.Order());
    }

    [Fact]
    public void OnbuildOfAParentStageRunsInItsChildrenOnly()
    {
        var plan = Plan("""
            FROM busybox AS base
            ONBUILD RUN echo trigger
            RUN echo base
            FROM base AS child
            RUN echo child
            FROM child
            RUN echo grandchild
            """);
        Assert.Equal(["ONBUILD", "RUN"], plan.Stages[0].Steps.Select(s => s.Instruction.Keyword));
        Assert.Equal(["echo trigger", "echo child"], plan.Stages[1].Steps.Select(s => ((RunInstruction)s.Expanded).Command.Args[0]));
        Assert.True(plan.Stages[1].Steps[0].IsOnBuildTrigger);
        Assert.Equal(["echo grandchild"], plan.Stages[2].Steps.Select(s => ((RunInstruction)s.Expanded).Command.Args[0]));
    }

    [Fact]
    public void MissingBaseImageAndBadTriggersPointAtFrom()
    {
        var images = new FakeImages(new() { ["bad:1"] = new BaseImageInfo([], ["FROM x"]) });
        var options = new BuildPlanOptions { BaseImages = images };
        var missing = PlanError("FROM nothere\n", options: options);
        Assert.Equal("Dockerfile:1:1: No such image: nothere:latest", missing.Message);
        var bad = PlanError("\nFROM bad:1\n", options: options);
        Assert.StartsWith("Dockerfile:2:1: FROM isn't allowed as an ONBUILD trigger", bad.Message);
        Assert.Equal("FROM bad:1", bad.SourceLine);
    }

    [Fact]
    public void FixtureDockerfilePlans()
    {
        var plan = BuildPlanner.Plan(DockerfileParser.Parse(File.ReadAllText("/work/shared/testdata/fixture-src/Dockerfile")));
        Assert.Equal(new ImageSource(ImageReference.Parse("localbase:1")), plan.Target.Base);
        Assert.Equal(9, plan.Target.Steps.Count);
        Assert.Equal(["8080/tcp"], plan.Target.Steps[6].ExposedPorts);
        Assert.Equal(plan.Target.Steps.Count, plan.Target.Steps.Select(s => s.CacheKey).Distinct().Count());
    }
}
