using System.Runtime.InteropServices;
using System.Text;
using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Deploy.LoadBalancer;

/// <summary>
/// A service's balancer as its own small berth process (as a container has its monitor): started detached in
/// its own session, it binds the published ports, says "S" (or "E message") on the notify pipe, then serves
/// until SIGTERM. Deploys change its membership file; they never restart it.
/// </summary>
public static class LbProcess
{
    /// <summary>The body of the hidden <c>__berth-lb DIR</c> mode.</summary>
    public static int Serve(string dir, int notifyFd)
    {
        Libc.fcntl(notifyFd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
        using var server = new LbServer(dir);
        try { server.Bind(); }
        catch (BerthException e)
        {
            Notify(notifyFd, "E " + e.Message);
            return e.ExitCode;
        }
        Notify(notifyFd, "S");
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Cancel(); });
        server.Run(stop.Token);
        return 0;
    }

    private static void Notify(int fd, string message)
    {
        Fds.WriteAll(fd, Encoding.UTF8.GetBytes(message.Replace('\n', ' ') + "\n"));
        Fds.Close(ref fd);
    }

    /// <summary>Starts the balancer for the membership in <paramref name="dir"/>; returns once it listens.</summary>
    public static (int Pid, long Start) Start((string Executable, IReadOnlyList<string> Args) command, string dir)
    {
        var (read, write) = Fds.Pipe();
        int devNull = Fds.Open("/dev/null", Libc.O_RDWR);
        try
        {
            var argv = new List<string> { "berth" };
            argv.AddRange(command.Args);
            argv.Add(dir);
            var env = new List<string>
            {
                "PATH=" + (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin"),
                "DOTNET_GCgen0size=0x200000",
                "DOTNET_GCHeapHardLimit=0x8000000",
            };
            int pid = Spawner.Spawn(command.Executable, argv, env, [devNull, devNull, devNull, write], newSession: true);
            long start = ChildProcess.StartTime(pid);
            Fds.Close(ref write);
            var text = Fds.ReadToEnd(read).Trim();
            if (text == "S") return (pid, start);
            ChildProcess.TryWait(pid);
            throw new BerthException(text.StartsWith("E ", StringComparison.Ordinal) ? text[2..] : "the load balancer exited before it listened", BerthException.EngineError);
        }
        finally
        {
            Fds.Close(ref read);
            Fds.Close(ref write);
            Fds.Close(ref devNull);
        }
    }

    public static bool IsRunning(int pid, long start) => ChildProcess.IsAlive(pid, start);

    /// <summary>SIGTERM, then SIGKILL after 5 seconds.</summary>
    public static void Stop(int pid, long start)
    {
        if (!ChildProcess.IsAlive(pid, start)) return;
        Libc.kill(pid, 15);
        if (!ChildProcess.WaitGone(pid, start, TimeSpan.FromSeconds(5)))
        {
            Libc.kill(pid, 9);
            ChildProcess.WaitGone(pid, start, TimeSpan.FromSeconds(5));
        }
        ChildProcess.TryWait(pid);
    }

    /// <summary>
    /// Publishes a new backend list and waits (up to 2 s) until the balancer applies it: from then on no new
    /// connection goes to a replica that is not in <paramref name="backends"/>.
    /// </summary>
    public static void SetBackends(string dir, IReadOnlyList<LbBackend> backends, bool running)
    {
        var current = LbMembership.Read(dir) ?? throw new BerthException($"load balancer: no membership file in {dir}", BerthException.EngineError);
        var next = current with { Generation = current.Generation + 1, Backends = backends };
        next.Write(dir);
        if (!running) return;
        var deadline = Environment.TickCount64 + 2000;
        while (Environment.TickCount64 < deadline)
        {
            if (LbStatus.Read(dir) is { } s && s.Generation >= next.Generation) return;
            Thread.Sleep(2);
        }
    }

    /// <summary>Waits until the replicas <paramref name="ids"/> have no open connection through the balancer (or the timeout).</summary>
    public static bool Drain(string dir, IReadOnlyCollection<string> ids, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        for (;;)
        {
            var s = LbStatus.Read(dir);
            if (s is null || ids.All(id => s.Active.GetValueOrDefault(id) == 0)) return true;
            if (Environment.TickCount64 > deadline) return false;
            Thread.Sleep(5);
        }
    }
}
