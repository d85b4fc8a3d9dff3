using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Registry;

/// <summary>
/// <c>berth registry serve</c> run as a user would, on a free loopback port with its own data
/// directory. Disposal stops it (SIGTERM) and removes the directory.
/// </summary>
public sealed class RegistryProcess : IDisposable
{
    private readonly Process _process;
    private readonly TempRoot _temp;

    private RegistryProcess(Process process, TempRoot temp, int port, string dataRoot)
    {
        _process = process;
        _temp = temp;
        Port = port;
        DataRoot = dataRoot;
    }

    public int Port { get; }
    public string Host => $"127.0.0.1:{Port}";
    public string DataRoot { get; }
    public TempRoot Temp => _temp;
    public Process Process => _process;

    public static RegistryProcess Start(params string[] extraArgs) => Start(new TempRoot(), extraArgs);

    public static RegistryProcess Start(TempRoot temp, params string[] extraArgs)
    {
        int port = FreePort();
        var data = temp.File("data");
        var psi = new ProcessStartInfo(BerthBinary.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--root", temp.Path, "registry", "serve", "--addr", $"127.0.0.1:{port}", "--root", data, "--access-log", temp.File("access.log") }.Concat(extraArgs))
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var reg = new RegistryProcess(p, temp, port, data);
        var scheme = extraArgs.Contains("--tls-cert") ? "https" : "http";
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        for (int i = 0; i < 100; i++)
        {
            if (p.HasExited) throw new InvalidOperationException($"berth registry serve exited with {p.ExitCode}");
            try
            {
                using var resp = http.GetAsync($"{scheme}://{reg.Host}/v2/").GetAwaiter().GetResult();
                if (resp.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized) return reg;
            }
            catch (HttpRequestException) { }
            Thread.Sleep(50);
        }
        reg.Dispose();
        throw new TimeoutException("berth registry serve did not answer /v2/ within 5 s");
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Asks the server to stop (SIGTERM) and returns its exit code.</summary>
    public int Stop()
    {
        if (!_process.HasExited)
        {
            Shell.Run("kill", "-TERM", _process.Id.ToString());
            if (!_process.WaitForExit(10_000)) _process.Kill();
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public int BlobFiles() =>
        Directory.Exists(Path.Combine(DataRoot, "blobs")) ? Directory.EnumerateFiles(Path.Combine(DataRoot, "blobs"), "*", SearchOption.AllDirectories).Count() : 0;

    public void Dispose()
    {
        try { Stop(); } catch (InvalidOperationException) { }
        _process.Dispose();
        _temp.Dispose();
    }
}
