using Berth.Cli.Tests.Containers;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Deploy;

/// <summary>
/// A container root with web images built FROM busybox: app:v1 and app:v2 serve "v1"/"v2" with httpd on
/// 8080, app:bad serves nothing (its health check fails). Compose files are written next to the root.
/// Disposal runs compose down for every project used, then the container root's own cleanup.
/// </summary>
public sealed class DeployRoot : IDisposable
{
    private readonly ContainerRoot _root = new();
    private readonly HashSet<(string File, string Project)> _projects = [];

    public DeployRoot(params string[] versions)
    {
        foreach (var v in versions) Build(v, v == "bad" ? "mkdir /www" : $"mkdir /www && echo {v} > /www/index.html");
    }

    public string Path => _root.Path;

    public void Build(string tag, string run)
    {
        var dir = _root.File("ctx-" + tag);
        Directory.CreateDirectory(dir);
        File.WriteAllText(System.IO.Path.Combine(dir, "Dockerfile"), $"FROM {ContainerRoot.Image}\nRUN {run}\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n");
        Run("build", "-q", "-t", "app:" + tag, dir).AssertOk();
    }

    public RunResult Run(params string[] args) => _root.Run(args);

    /// <summary>Writes a compose file and returns its path.</summary>
    public string ComposeFile(string name, string yaml)
    {
        var path = _root.File(name);
        File.WriteAllText(path, yaml);
        return path;
    }

    public RunResult Compose(string file, string project, params string[] args)
    {
        lock (_projects) _projects.Add((file, project));
        return _root.Run(["compose", "-f", file, "-p", project, .. args]);
    }

    /// <summary>The service's containers as NAME IMAGE-ID lines from ps with its labels.</summary>
    public List<(string Name, string Image, string Revision)> Replicas(string project, string service) =>
        Run("ps", "--filter", $"label=com.docker.compose.project={project}", "--filter", $"label=com.docker.compose.service={service}",
                "--format", "{{.Names}} {{.Image}} {{.Labels}}").AssertOk()
            .Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 3))
            .Select(f => (f[0], f[1], f[2].Split(',').First(kv => kv.StartsWith("berth.deploy.revision=", StringComparison.Ordinal)).Split('=')[1]))
            .OrderBy(x => x.Item1).ToList();

    public void Dispose()
    {
        try
        {
            foreach (var (f, p) in _projects) _root.Run("compose", "-f", f, "-p", p, "down", "-v");
        }
        finally { _root.Dispose(); }
    }

    public void AssertNothingLeft() => _root.AssertNothingLeft();
}
