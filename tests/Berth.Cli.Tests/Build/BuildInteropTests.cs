using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Build;

/// <summary>
/// Berth-built images against the real docker: they load and run there, and a Dockerfile docker
/// builds gives the same files when berth builds it. Skipped (passing) when docker is not running
/// or has no <c>localbase:1</c> (../shared/peers/setup.sh makes it).
/// </summary>
public sealed class BuildInteropTests : IDisposable
{
    private readonly BuildFixture _f = new();
    private readonly string _tag = "berth-interop-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        Shell.Run("docker", "rmi", "-f", _tag + ":1", _tag + ":docker");
        _f.Dispose();
    }

    private static bool DockerReady() =>
        Shell.Has("docker") && Shell.Run("docker", "image", "inspect", "localbase:1").ExitCode == 0;

    [Fact]
    public void A_berth_built_image_runs_under_docker_after_save_and_load()
    {
        if (!DockerReady()) return;
        _f.Write("msg.txt", "made by berth\n");
        _f.Dockerfile("FROM base:1\nCOPY msg.txt /msg.txt\nRUN cat /msg.txt > /copy\nCMD [\"cat\", \"/copy\"]\n");
        _f.Build("-t", _tag + ":1");
        var tar = Path.Combine(_f.Root, "image.tar");
        _f.Run("save", "-o", tar, _tag + ":1").AssertOk();
        Shell.Run("docker", "load", "-i", tar).AssertOk();
        var run = Shell.Run("docker", "run", "--rm", "--network", "none", _tag + ":1").AssertOk();
        Assert.Equal("made by berth\n", run.Stdout);
    }

    [Fact]
    public void A_Dockerfile_gives_the_same_files_as_docker_build()
    {
        if (!DockerReady()) return;
        // docker's fixture Dockerfile: hard links, symlinks, setuid, long paths, whiteouts, an opaque directory.
        Shell.Sh($"cp -r {Repo.SharedTestData}/fixture-src/. {_f.Context}/ && chmod -R u+w {_f.Context}").AssertOk();
        // The same base in both: berth's base:1 is docker's localbase:1, saved and loaded.
        var baseTar = Path.Combine(_f.Root, "localbase.tar");
        Shell.Run("docker", "save", "-o", baseTar, "localbase:1").AssertOk();
        _f.Run("load", "-i", baseTar).AssertOk();

        Shell.Run("docker", "build", "--network", "none", "-q", "-t", _tag + ":docker", _f.Context).AssertOk();
        _f.Build("-t", _tag + ":1");

        var dockerList = Listing(Shell.Sh($"c=$(docker create {_tag}:docker) && docker export $c | tar -tvf - ; docker rm $c >/dev/null").AssertOk().Stdout);
        var id = _f.Run("create", "--network", "none", _tag + ":1").AssertOk().Stdout.Trim();
        var berthList = Listing(Shell.Sh($"{BerthBinary.Path} --root {_f.Root} export {id} | tar -tvf -").AssertOk().Stdout);
        Assert.Equal(dockerList, berthList);
    }

    /// <summary>"mode owner size name" per entry, without mtimes and without what a container runtime adds (/.dockerenv, /etc/hosts...).</summary>
    private static List<string> Listing(string tarTv)
    {
        string[] runtime = ["./.dockerenv", ".dockerenv", "etc/hosts", "etc/hostname", "etc/resolv.conf", "dev/", "proc/", "sys/", "etc/mtab"];
        return tarTv.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => (Mode: p[0], Owner: p[1].Replace("root/root", "0/0"), Size: p[0][0] == 'd' ? "-" : p[2], Name: string.Join(' ', p[5..]).TrimStart('.', '/')))
            .Where(e => e.Name.Length > 0 && !runtime.Any(r => e.Name.Split(" -> ")[0] == r.TrimStart('.', '/') || (r.EndsWith('/') && e.Name.StartsWith(r, StringComparison.Ordinal))))
            .Select(e => $"{e.Mode} {e.Owner} {e.Size} {e.Name}")
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
