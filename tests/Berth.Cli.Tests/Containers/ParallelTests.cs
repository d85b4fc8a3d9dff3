namespace Berth.Cli.Tests.Containers;

public class ParallelTests : IDisposable
{
    private readonly ContainerRoot _r = new();

    public void Dispose() => _r.Dispose();

    [Fact]
    public void Fifty_containers_start_in_parallel_and_rm_f_cleans_them_all()
    {
        var results = new Infrastructure.RunResult[50];
        Parallel.For(0, 50, new ParallelOptions { MaxDegreeOfParallelism = 10 }, i =>
            results[i] = _r.Run("run", "-d", "--network", "none", "--name", $"p{i}", ContainerRoot.Image, "sleep", "3600"));
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stderr));
        var ids = results.Select(r => r.Stdout.Trim()).ToList();
        Assert.Equal(50, ids.Distinct().Count());
        var running = _r.Run("ps", "-q", "--no-trunc").AssertOk().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(50, running.Length);
        var rm = _r.Run(["rm", "-f", .. ids]).AssertOk();
        Assert.Equal(50, rm.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Empty(_r.Run("ps", "-aq").AssertOk().Stdout);
        _r.AssertNothingLeft();
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(_r.Path, "containers")));
    }
}
