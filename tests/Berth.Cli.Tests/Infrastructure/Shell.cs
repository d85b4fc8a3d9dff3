using System.Diagnostics;

namespace Berth.Cli.Tests.Infrastructure;

/// <summary>Runs a host tool (tar, skopeo, umoci...) and returns what it printed.</summary>
public static class Shell
{
    public static RunResult Run(string file, params string[] args) => RunIn(null, file, args);

    public static RunResult RunIn(string? workingDir, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDir ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new RunResult(p.ExitCode, o.Result, e.Result);
    }

    public static RunResult Sh(string script) => Run("/bin/sh", "-c", script);

    public static bool Has(string tool) => Sh($"command -v {tool}").ExitCode == 0;
}
