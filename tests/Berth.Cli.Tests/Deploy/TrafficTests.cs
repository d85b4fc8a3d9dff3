using System.Collections.Concurrent;
using Berth.Cli.Tests.Networking;

namespace Berth.Cli.Tests.Deploy;

/// <summary>Published traffic through berth's load balancer: many replicas answering, and rollouts and
/// rollbacks under a continuous loop of client requests that must all succeed within a timeout. It runs
/// alone: next to the suite's other tests (50 containers started at once, crash tests killing their own
/// roots' processes) on 2 cores, one request in the whole run was once seen waiting past its 5 s timeout.</summary>
[Collection(nameof(TrafficTests))]
public sealed class TrafficTests
{
    [Fact]
    public void Sixteen_replicas_answer_behind_the_balancer_and_a_rollout_and_rollback_under_load_fail_no_request()
    {
        using var root = new DeployRoot("v1", "v2");
        int port = NetworkRoot.FreePort();
        // Each replica also serves its hostname, so the balancer's spread can be seen.
        var file = root.ComposeFile("c.yml", $$"""
            services:
              web:
                image: app:v1
                init: true
                command: ["sh", "-c", "hostname > /www/host; exec httpd -f -p 8080 -h /www"]
                ports: ["127.0.0.1:{{port}}:8080"]
                deploy: { replicas: 16 }
                stop_grace_period: 1s
                healthcheck: { test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/host"], interval: 300ms, retries: 3 }
            """);
        root.Compose(file, "lb", "up", "-d").AssertOk();
        Assert.Equal(16, root.Replicas("lb", "web").Count);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string Get(string path) => http.GetStringAsync($"http://127.0.0.1:{port}{path}").GetAwaiter().GetResult();
        var hosts = Enumerable.Range(0, 32).Select(_ => Get("/host").Trim()).ToHashSet();
        Assert.Equal(16, hosts.Count); // round robin reaches every replica

        var answers = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { answers.Add(Get("/").Trim()); }
                catch (Exception e) { answers.Add("error: " + e.Message); }
            }
        })).ToList();
        clients.ForEach(t => t.Start());
        try
        {
            root.Run("deploy", "--max-surge", "8", "web", "app:v2").AssertOk();
            Assert.Equal("v2", Get("/").Trim());
            root.Run("rollback", "web").AssertOk();
            Assert.Equal("v1", Get("/").Trim());
        }
        finally
        {
            stop.Cancel();
            clients.ForEach(t => t.Join());
        }
        Assert.DoesNotContain(answers, a => a is not ("v1" or "v2"));
        Assert.Contains("v2", answers);
        Assert.True(answers.Count > 50, $"only {answers.Count} requests were made during the rollout");

        root.Compose(file, "lb", "down").AssertOk();
        Assert.Throws<HttpRequestException>(() => Get("/"));
        root.AssertNothingLeft();
    }
}

[CollectionDefinition(nameof(TrafficTests), DisableParallelization = true)]
public sealed class TrafficTestsCollection;
