using System.Diagnostics;
using System.Text.Json;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Networking;

/// <summary><c>berth events</c>: the stream a load balancer reconfigures itself from.</summary>
public class EventsTests : IDisposable
{
    private readonly NetworkRoot _r = new();

    public void Dispose() => _r.Dispose();

    [Fact]
    public async Task Streams_container_starts_and_deaths_as_json_until_interrupted()
    {
        var psi = new ProcessStartInfo(BerthBinary.Path, ["--root", _r.Path, "events", "--format", "json", "--filter", "type=container", "--filter", "label=lb"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var events = Process.Start(psi)!;
        var lines = new List<JsonElement>();
        try
        {
            await Task.Delay(300); // it follows from now on
            _r.Run("run", "--rm", "--name", "ignored", NetworkRoot.Image, "true").AssertOk();
            _r.Run("run", "--rm", "--name", "backend", "--label", "lb=web", NetworkRoot.Image, "sh", "-c", "exit 3");
            var reader = Task.Run(() =>
            {
                string? line;
                while ((line = events.StandardOutput.ReadLine()) is not null)
                {
                    var e = JsonDocument.Parse(line).RootElement.Clone();
                    lines.Add(e);
                    if (e.GetProperty("Action").GetString() == "destroy") return;
                }
            });
            await reader.WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            events.Kill();
            events.WaitForExit();
        }
        Assert.Equal(["create", "start", "die", "destroy"], lines.Select(e => e.GetProperty("Action").GetString()));
        var die = lines[2];
        Assert.Equal("container", die.GetProperty("Type").GetString());
        Assert.Equal("die", die.GetProperty("status").GetString());
        Assert.Equal("3", die.GetProperty("Actor").GetProperty("Attributes").GetProperty("exitCode").GetString());
        Assert.Equal("backend", die.GetProperty("Actor").GetProperty("Attributes").GetProperty("name").GetString());
        Assert.Equal(NetworkRoot.Image, die.GetProperty("from").GetString());
        Assert.True(die.GetProperty("timeNano").GetInt64() >= lines[1].GetProperty("timeNano").GetInt64());
    }

    [Fact]
    public void Replays_a_past_window_and_stops_at_until()
    {
        var net = _r.Network();
        var id = _r.Run("run", "-d", "--network", net, NetworkRoot.Image, "true").AssertOk().Stdout.Trim();
        _r.Run("wait", id).AssertOk();
        var r = _r.Run("events", "--since", "1m", "--until", "0s", "--filter", "container=" + id).AssertOk();
        var actions = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1] + " " + l.Split(' ')[2]).ToList();
        Assert.Equal(["container create", "network connect", "container start", "network disconnect", "container die"], actions);
        Assert.Contains($"network create", _r.Run("events", "--since", "1m", "--until", "0s", "--filter", "type=network").Stdout);
        Assert.Equal(1, _r.Run("events", "--since", "yesterday").ExitCode);
    }
}
