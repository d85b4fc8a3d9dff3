using System.Net.Sockets;
using System.Text;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Util;

namespace Berth.Engine.Networking.Dns;

/// <summary>
/// Starts the state root's DNS server when a user-defined network needs it and tells a running one to
/// reload. The server is <paramref name="command"/> (berth itself in its hidden DNS mode) in a session of
/// its own; it says "S" on a pipe once it listens, so a container started next is answered at once.
/// </summary>
internal sealed class DnsProcess(string rootPath, (string Executable, IReadOnlyList<string> Args)? command)
{
    private readonly DnsPaths _paths = new(rootPath);

    public bool Running => _paths.RunningPid() is not null;

    /// <summary>Makes sure a server runs; with <paramref name="reload"/>, a running one re-reads the networks.</summary>
    public void Ensure(bool reload)
    {
        if (command is null) return;
        if (!reload && Running) return;
        Directory.CreateDirectory(_paths.Dir);
        using var _ = FileLock.Exclusive(_paths.Lock);
        if (Running)
        {
            if (reload) Send("reload");
            return;
        }
        Start(command.Value);
    }

    /// <summary>Tells a running server the networks changed; when none needs it any more it exits, and
    /// this returns once it has.</summary>
    public void Reload()
    {
        if (!Running) return;
        using var _ = FileLock.Exclusive(_paths.Lock);
        if (_paths.ReadPid() is not { } p || !ChildProcess.IsAlive(p.Pid, p.Start)) return;
        if (Send("reload") == "ok 0") ChildProcess.WaitGone(p.Pid, p.Start, TimeSpan.FromSeconds(10));
    }

    private void Start((string Executable, IReadOnlyList<string> Args) cmd)
    {
        var (notifyRead, notifyWrite) = Fds.Pipe();
        int devNull = Fds.Open("/dev/null", Libc.O_RDWR);
        try
        {
            Spawner.Spawn(cmd.Executable, ["berth", .. cmd.Args], ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "DOTNET_GCgen0size=0x80000"],
                [devNull, devNull, devNull, notifyWrite], newSession: true);
            Fds.Close(ref notifyWrite);
            var message = Fds.ReadToEnd(notifyRead).Trim();
            if (message.StartsWith("E ", StringComparison.Ordinal)) throw new BerthException(message[2..], BerthException.EngineError);
            if (message != "S") throw new BerthException("the DNS server of berth's networks exited before it started", BerthException.EngineError);
        }
        finally
        {
            Fds.Close(ref notifyRead);
            Fds.Close(ref notifyWrite);
            Fds.Close(ref devNull);
        }
    }

    private string Send(string line)
    {
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.ReceiveTimeout = 10_000;
        try
        {
            s.Connect(new UnixDomainSocketEndPoint(_paths.Socket));
            s.Send(Encoding.ASCII.GetBytes(line + "\n"));
            var buffer = new byte[512];
            int n = s.Receive(buffer);
            var reply = Encoding.UTF8.GetString(buffer, 0, n).Trim();
            if (reply.StartsWith("E ", StringComparison.Ordinal)) throw new BerthException(reply[2..], BerthException.EngineError);
            return reply;
        }
        catch (SocketException e)
        {
            throw new BerthException($"cannot reach berth's DNS server ({_paths.Socket}): {e.Message}", BerthException.EngineError);
        }
    }
}
