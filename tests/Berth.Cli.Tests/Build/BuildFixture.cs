using System.Text.Json;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Build;

/// <summary>
/// A state root with a busybox base image (<c>base:1</c>, CMD sh) and a context directory to write
/// Dockerfiles and files into; everything is removed on dispose, mounts and all.
/// </summary>
public sealed class BuildFixture : IDisposable
{
    private readonly TempRoot _root = new();

    public BuildFixture()
    {
        Context = Path.Combine(_root.Path, "ctx");
        Directory.CreateDirectory(Context);
        _root.Run("import", "-c", "CMD [\"/bin/sh\"]", BusyboxRootfs.Tar, "base:1").AssertOk();
    }

    public string Root => _root.Path;
    public string Context { get; }

    public void Dispose() => _root.Dispose();

    public RunResult Run(params string[] args) => _root.Run(args);

    public RunResult Input(string stdin, params string[] args) => _root.RunWithInput(stdin, args);

    /// <summary>Writes a file of the context (parents created).</summary>
    public string Write(string path, string content)
    {
        var full = Path.Combine(Context, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dockerfile(string text) => Write("Dockerfile", text);

    /// <summary>Builds the context (plain progress) and returns the output; fails the test on a non-zero exit.</summary>
    public string Build(params string[] options) => Run(["build", "--progress", "plain", .. options, Context]).AssertOk().Stdout;

    public RunResult TryBuild(params string[] options) => Run(["build", "--progress", "plain", .. options, Context]);

    public string ImageId(string reference) => Run("images", "-q", "--no-trunc", reference).AssertOk().Stdout.Trim();

    /// <summary>Runs a command in a container of the image (network none) and returns its stdout.</summary>
    public string Exec(string image, params string[] command) =>
        Run(["run", "--rm", "--network", "none", image, .. command]).AssertOk().Stdout;

    public JsonElement Config(string image) =>
        JsonDocument.Parse(Run("image", "inspect", image).AssertOk().Stdout).RootElement[0].GetProperty("Config");

    /// <summary>"Using cache" lines of a build's output.</summary>
    public static int CacheHits(string output) => output.Split('\n').Count(l => l == " ---> Using cache");

    /// <summary>The step numbers that ran (not from the cache): a step ran when "Using cache" does not follow its header.</summary>
    public static List<int> ExecutedSteps(string output)
    {
        var lines = output.Split('\n');
        var ran = new List<int>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("Step ", StringComparison.Ordinal) || lines[i].Contains(" : FROM ", StringComparison.Ordinal)) continue;
            var number = int.Parse(lines[i][5..lines[i].IndexOf('/')]);
            var next = i + 1 < lines.Length ? lines[i + 1] : "";
            if (next != " ---> Using cache" && !lines[i].Contains(" : ARG ", StringComparison.Ordinal)) ran.Add(number);
        }
        return ran;
    }

    /// <summary>Rows of the build cache and of images, to check that a failed build changed nothing.</summary>
    public (string Images, string Cache) StoreState() =>
        (Run("images", "-a", "--no-trunc").AssertOk().Stdout,
         Shell.Run("sqlite3", Path.Combine(Root, "berth.db"), "SELECT key FROM build_cache ORDER BY key").Stdout);
}
