using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Containers;

/// <summary>Our own terminal: raw mode while a container's pty is relayed, and its window size.</summary>
public sealed unsafe class Terminal : IDisposable
{
    private const int TermiosSize = 64;
    private readonly int _fd;
    private readonly byte[] _saved = new byte[TermiosSize];
    private bool _raw;

    private Terminal(int fd) => _fd = fd;

    public static bool IsTerminal(int fd) => Libc.isatty(fd) == 1;

    /// <summary>Puts <paramref name="fd"/> in raw mode (restored on dispose); null when it is not a terminal.</summary>
    public static Terminal? MakeRaw(int fd)
    {
        if (!IsTerminal(fd)) return null;
        var t = new Terminal(fd);
        fixed (byte* saved = t._saved)
        {
            if (Libc.tcgetattr(fd, saved) != 0) return null;
            byte* raw = stackalloc byte[TermiosSize];
            new Span<byte>(saved, TermiosSize).CopyTo(new Span<byte>(raw, TermiosSize));
            Libc.cfmakeraw(raw);
            // Keep output post-processing so our own messages still start at column 0.
            Libc.tcsetattr(fd, 0 /* TCSANOW */, raw);
        }
        t._raw = true;
        return t;
    }

    public static (ushort Rows, ushort Cols)? Size(int fd)
    {
        Libc.WinSize ws;
        if (Libc.ioctl(fd, Libc.TIOCGWINSZ, &ws) != 0 || ws.Rows == 0) return null;
        return (ws.Rows, ws.Cols);
    }

    public static void SetSize(int ptyMaster, (ushort Rows, ushort Cols) size)
    {
        var ws = new Libc.WinSize { Rows = size.Rows, Cols = size.Cols };
        Libc.ioctl(ptyMaster, Libc.TIOCSWINSZ, &ws);
    }

    public void Dispose()
    {
        if (!_raw) return;
        fixed (byte* saved = _saved) Libc.tcsetattr(_fd, 0, saved);
        _raw = false;
    }
}
