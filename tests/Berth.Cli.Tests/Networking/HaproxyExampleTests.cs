using System.Diagnostics;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Networking;

/// <summary>examples/haproxy: Debian's HAProxy follows `berth events` and balances over the labelled
/// containers as they start and die (runs when haproxy is installed; .ci/run installs it).</summary>
public sealed class HaproxyExampleTests : IDisposable
{
    private readonly NetworkRoot _r = new();
    private Process? _lb;

    public void Dispose()
    {
        try
        {
            if (_lb is { HasExited: false })
            {
                Shell.Run("kill", "-TERM", _lb.Id.ToString()); // the script stops its haproxy and follower
                if (!_lb.WaitForExit(10_000)) _lb.Kill(entireProcessTree: true);
            }
            _lb?.Dispose();
        }
        finally { _r.Dispose(); }
    }

    private string Backend(string net, string label, string name) =>
        _r.Detached("--network", net, "--label", label, "--name", name, NetworkRoot.Image, "sh", "-c",
            $"mkdir -p /www && echo {name} > /www/index.html && exec httpd -f -p 8080 -h /www");

    [Fact]
    public async Task Haproxy_is_reconfigured_as_backends_start_and_die()
    {
        if (!Shell.Has("haproxy")) return;
        var net = _r.Network();
        var label = "lb=" + net;
        var one = Backend(net, label, "one-" + net);
        Backend(net, "lb=other", "stray-" + net); // another label: never a backend
        int port = NetworkRoot.FreePort();
        var psi = new ProcessStartInfo("bash", [Path.Combine(Repo.Root, "examples", "haproxy", "berth-haproxy.sh"), label, port.ToString(), "8080"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["BERTH"] = BerthBinary.Path;
        psi.Environment["BERTH_ROOT"] = _r.Path;
        _lb = Process.Start(psi)!;
        _lb.ErrorDataReceived += (_, _) => { };
        _lb.BeginErrorReadLine();
        Task<string?> Line() => _lb.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("berth-haproxy: 1 backend(s) on 127.0.0.1:" + port, await Line());
        NetworkRoot.Eventually(() => NetworkRoot.HttpGet($"http://127.0.0.1:{port}/") == $"one-{net}\n", "haproxy to serve the first backend");

        var two = Backend(net, label, "two-" + net);
        Assert.Equal("berth-haproxy: 2 backend(s) on 127.0.0.1:" + port, await Line());
        var seen = new HashSet<string?>();
        NetworkRoot.Eventually(() => { seen.Add(NetworkRoot.HttpGet($"http://127.0.0.1:{port}/")); return seen.Contains($"two-{net}\n") && seen.Contains($"one-{net}\n"); },
            "round robin over both backends");

        _r.Run("stop", "-t", "1", one).AssertOk();
        Assert.Equal("berth-haproxy: 1 backend(s) on 127.0.0.1:" + port, await Line());
        NetworkRoot.Eventually(() => NetworkRoot.HttpGet($"http://127.0.0.1:{port}/") == $"two-{net}\n", "the reload without the dead backend");
        for (int i = 0; i < 4; i++) Assert.Equal($"two-{net}\n", NetworkRoot.HttpGet($"http://127.0.0.1:{port}/"));
        _ = two;
    }
}
