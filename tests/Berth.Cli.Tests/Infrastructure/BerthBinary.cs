using System.Diagnostics;
using System.Text;

namespace Berth.Cli.Tests.Infrastructure;

/// <summary>The result of running the berth binary once.</summary>
public sealed record RunResult(int ExitCode, string Stdout, string Stderr)
{
    public RunResult AssertOk()
    {
        Assert.True(ExitCode == 0, $"berth exited {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}");
        return this;
    }
}

/// <summary>
/// Runs the published berth binary (BERTH_BIN, set by test.sh to the NativeAOT build) as a user
/// would, each test against its own state root.
/// </summary>
public static class BerthBinary
{
    public static string Path { get; } = Locate();

    private static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("BERTH_BIN");
        if (!string.IsNullOrEmpty(env)) return env;
        var published = System.IO.Path.Combine(Repo.Root, "out", "berth");
        if (File.Exists(published)) return published;
        throw new InvalidOperationException("berth binary not found: run ./test.sh, or set BERTH_BIN to a published berth");
    }

    public static RunResult Run(string root, params string[] args) => RunWith(root, null, null, args);

    public static RunResult RunWith(string root, string? stdin, IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(root);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var outTask = p.StandardOutput.ReadToEndAsync();
        var errTask = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"berth {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return new RunResult(p.ExitCode, outTask.Result, errTask.Result);
    }
}
