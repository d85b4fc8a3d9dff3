using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Berth.Cli.Tests.Infrastructure;

namespace Berth.Cli.Tests.Distribution;

/// <summary>
/// Debian's CNCF distribution registry (<c>docker-registry serve</c>) on a free loopback port with a
/// temp storage directory, optionally behind htpasswd (bcrypt) basic auth. Stopped and removed on dispose.
/// </summary>
public sealed class CncfRegistry : IDisposable
{
    private readonly Process _process;

    public string Dir { get; }
    public int Port { get; }
    public string Domain => $"127.0.0.1:{Port}";

    public CncfRegistry(string? user = null, string? password = null)
    {
        Dir = Directory.CreateTempSubdirectory("berth-registry-").FullName;
        Port = FreePort();
        var auth = "";
        if (user is not null)
        {
            Shell.Run("htpasswd", "-Bbc", Path.Combine(Dir, "htpasswd"), user, password!).AssertOk();
            auth = $"auth: {{ htpasswd: {{ realm: berth-test, path: {Dir}/htpasswd }} }}\n";
        }
        File.WriteAllText(Path.Combine(Dir, "config.yml"), $"""
            version: 0.1
            log: {"{"} level: error {"}"}
            storage: {"{"} filesystem: {"{"} rootdirectory: {Dir}/data {"}"}, delete: {"{"} enabled: true {"}"} {"}"}
            http: {"{"} addr: 127.0.0.1:{Port} {"}"}
            {auth}
            """);
        var psi = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(Path.Combine(Dir, "config.yml"));
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start docker-registry (apt-get install docker-registry)");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilUp();
    }

    private void WaitUntilUp()
    {
        using var http = new HttpClient();
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var r = http.GetAsync($"http://{Domain}/v2/").Result;
                if (r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized) return;
            }
            catch (AggregateException) { }
            if (_process.HasExited) throw new InvalidOperationException($"docker-registry exited ({_process.ExitCode})");
            Thread.Sleep(100);
        }
        throw new TimeoutException("docker-registry did not answer in 10 s");
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        try { _process.Kill(); _process.WaitForExit(5000); } catch (InvalidOperationException) { }
        _process.Dispose();
        Cleanup.RemoveTree(Dir);
    }
}

/// <summary>
/// A TCP forwarder in front of a registry that counts the bytes clients send (what went up the wire),
/// and can slow down what comes back (a pause after every 64 KiB) to make a download last.
/// </summary>
public sealed class CountingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _downPause;
    private long _up;

    public CountingProxy(int targetPort, TimeSpan downPause = default)
    {
        _downPause = downPause;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception) { return; }
                _ = Task.Run(async () =>
                {
                    using (client)
                    using (var server = new TcpClient())
                    {
                        try
                        {
                            await server.ConnectAsync(IPAddress.Loopback, targetPort);
                            var a = client.GetStream();
                            var b = server.GetStream();
                            var up = Pump(a, b, counted: true);
                            var down = Pump(b, a, counted: false);
                            await Task.WhenAny(up, down);
                        }
                        catch (Exception) { }
                    }
                });
            }
        });
    }

    public int Port { get; }
    public string Domain => $"127.0.0.1:{Port}";
    public long BytesUp => Interlocked.Read(ref _up);

    private async Task Pump(Stream from, Stream to, bool counted)
    {
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (counted) Interlocked.Add(ref _up, n);
            else if (_downPause > TimeSpan.Zero) await Task.Delay(_downPause, _stop.Token);
            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
