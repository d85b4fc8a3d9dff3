using System.Runtime.InteropServices;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine;
using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Build.Execution;
using Berth.Engine.Build.Execution.Sources;
using Berth.Engine.Build.Planning;
using Berth.Engine.Oci;

namespace Berth.Cli.Commands;

/// <summary><c>berth build</c>: a Dockerfile and a context (a directory, or a tar on stdin) become an image.</summary>
internal static class BuildCommand
{
    public static readonly CommandSpec Spec = new("build", "Build an image from a Dockerfile", Run)
    {
        Usage = "[OPTIONS] PATH | -",
        MinArgs = 1,
        MaxArgs = 1,
        Options =
        [
            OptionSpec.List("build-arg", "Set build-time variables"),
            OptionSpec.Value("file", 'f', "Name of the Dockerfile (default: \"PATH/Dockerfile\"; \"-\" reads it from stdin)"),
            OptionSpec.Value("iidfile", "Write the image ID to the file"),
            OptionSpec.List("label", "Set metadata for an image"),
            OptionSpec.Value("network", "Set the networking mode for the RUN instructions during build (default, none, host)", "string", "\"default\""),
            OptionSpec.Flag("no-cache", "Do not use cache when building the image"),
            OptionSpec.Value("platform", "Set platform if server is multi-platform capable"),
            OptionSpec.Value("progress", "Set type of progress output (auto, plain, tty)", "string", "\"auto\""),
            OptionSpec.Flag("quiet", 'q', "Suppress the build output and print image ID on success"),
            OptionSpec.List("tag", 't', "Name and optionally a tag in the \"name:tag\" format"),
            OptionSpec.Value("target", "Set the target build stage to build"),
            OptionSpec.Flag("rm", "Remove intermediate containers after a successful build (always)") with { Hidden = true },
            OptionSpec.Flag("force-rm", "Always remove intermediate containers (always)") with { Hidden = true },
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var tags = a.Values("tag").Select(ImageReference.Parse).ToList();
        var labels = a.Values("label").Select(l => l.IndexOf('=') is var eq and >= 0 ? new KeyValuePair<string, string>(l[..eq], l[(eq + 1)..]) : new(l, "")).ToList();
        var network = a.Value("network", "default");
        if (network is not ("default" or "none" or "host" or "bridge"))
            throw new BerthException($"network mode \"{network}\" is not supported by build: use default, none or host");
        Platform? platform = a.Value("platform") is { Length: > 0 } p ? Platform.Parse(p) : null;
        if (platform is not null && (platform.Os != BuildPlanOptions.HostPlatform.Os || platform.Architecture != BuildPlanOptions.HostPlatform.Architecture))
            throw new BerthException($"platform {platform} cannot be built here: this machine runs {BuildPlanOptions.HostPlatform} and berth does not emulate other architectures");
        var progressMode = a.Value("progress", "auto");
        if (progressMode is not ("auto" or "plain" or "tty" or "quiet"))
            throw new BerthException($"invalid --progress \"{progressMode}\": use auto, plain or tty");
        bool quiet = a.Flag("quiet") || progressMode == "quiet";

        var root = ctx.Root;
        using var request = OpenRequest(ctx, a.Arg(0), a.Value("file"));
        var buildRequest = request.Request with
        {
            Tags = tags,
            Args = BuildArgs.Parse(a.Values("build-arg")),
            Target = a.Value("target"),
            NoCache = a.Flag("no-cache"),
            Labels = labels,
            Network = network == "bridge" ? "default" : network,
            Platform = platform,
        };

        IBuildProgress progress = quiet ? NullBuildProgress.Instance
            : progressMode == "tty" || (progressMode == "auto" && !Console.IsErrorRedirected) ? new BuildProgressTty(ctx.Err)
            : new BuildProgressPlain(ctx.Out);
        using var cancel = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cancel.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
        BuildResult result;
        try
        {
            using var _ = root.SharedLock();
            result = new ImageBuilder(root).BuildAsync(buildRequest, progress, cancel.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is DockerfileSyntaxException or BuildStepException or RunFailedException)
        {
            (progress as IDisposable)?.Dispose();
            ctx.Out.Flush();
            ReportFailure(ctx, (BerthException)e);
            return ((BerthException)e).ExitCode;
        }
        finally
        {
            (progress as IDisposable)?.Dispose();
        }

        var id = result.Image.Id;
        if (a.Value("iidfile") is { Length: > 0 } iidfile) Berth.Engine.Util.AtomicFile.WriteAllText(iidfile, id.ToString());
        if (quiet)
        {
            ctx.Out.Write(id + "\n");
            return 0;
        }
        ctx.Out.Write($"Successfully built {id.Short}\n");
        foreach (var t in tags) ctx.Out.Write($"Successfully tagged {t.Familiar}\n");
        return 0;
    }

    /// <summary>One line naming the Dockerfile line, then the line itself (the classic builder's RUN message as it is).</summary>
    private static void ReportFailure(CliContext ctx, BerthException e)
    {
        switch (e)
        {
            case RunFailedException:
                ctx.Err.WriteLine(e.Message);
                break;
            case DockerfileSyntaxException s:
                ctx.Err.WriteLine("Error: " + s.Message);
                Quote(ctx, s.Location.Line, s.SourceLine);
                break;
            case BuildStepException b:
                ctx.Err.WriteLine("Error: " + b.Message);
                Quote(ctx, b.Location.Line, b.SourceLine);
                break;
        }
        if (ctx.Debug) ctx.Err.WriteLine(e);
    }

    private static void Quote(CliContext ctx, int line, string text)
    {
        if (text.Length > 0) ctx.Err.WriteLine($" {line,4} | {text}");
    }

    /// <summary>The context and the Dockerfile, wherever they come from.</summary>
    private sealed class OpenedRequest(BuildRequest request, string? tempDir = null) : IDisposable
    {
        public BuildRequest Request { get; } = request;

        public void Dispose()
        {
            Request.Context.Dispose();
            if (tempDir is not null) Directory.Delete(tempDir, recursive: true);
        }
    }

    private static OpenedRequest OpenRequest(CliContext ctx, string path, string? file)
    {
        if (path.StartsWith("http://", StringComparison.Ordinal) || path.StartsWith("https://", StringComparison.Ordinal) || path.StartsWith("git@", StringComparison.Ordinal))
            throw new BerthException($"building from a URL context ({path}) is not supported: clone or download it and build the directory");
        if (path == "-")
        {
            if (file == "-") throw new BerthException("invalid argument: can't use stdin for both build context and dockerfile");
            var (stdin, tempDir) = StdinContext.Open(ctx.Root.TmpDir, file ?? "Dockerfile");
            return new OpenedRequest(stdin, tempDir);
        }
        if (file == "-")
        {
            var text = Console.In.ReadToEnd();
            return new OpenedRequest(new BuildRequest { Context = BuildContext.FromDirectory(path, null), DockerfileText = text, DockerfileName = "Dockerfile" });
        }
        var dockerfile = LocateDockerfile(path, file);
        string dockerfileText;
        try { dockerfileText = File.ReadAllText(dockerfile); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BerthException($"unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {dockerfile}: no such file or directory");
        }
        var context = BuildContext.FromDirectory(path, dockerfile);
        return new OpenedRequest(new BuildRequest { Context = context, DockerfileText = dockerfileText, DockerfileName = file ?? "Dockerfile" });
    }

    /// <summary><c>-f</c> relative to the current directory (docker's rule), else to the context; default PATH/Dockerfile.</summary>
    private static string LocateDockerfile(string contextDir, string? file)
    {
        if (file is null) return Path.Combine(contextDir, "Dockerfile");
        if (Path.IsPathRooted(file) || File.Exists(file)) return Path.GetFullPath(file);
        return Path.Combine(contextDir, file);
    }
}
