using System.Globalization;

namespace Berth.Engine.Containers;

/// <summary>Signal names and numbers as docker accepts them: KILL, SIGKILL, 9.</summary>
public static class Signals
{
    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV",
        "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
        "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    public const int SIGINT = 2, SIGKILL = 9, SIGTERM = 15, SIGWINCH = 28;

    public static int Parse(string text)
    {
        var s = text.Trim().ToUpperInvariant();
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is > 0 and <= 64) return n;
        if (!s.StartsWith("SIG", StringComparison.Ordinal)) s = "SIG" + s;
        if (s == "SIGIOT") return 6;
        if (s == "SIGCLD") return 17;
        if (s == "SIGPOLL") return 29;
        int i = Array.IndexOf(Names, s);
        if (i > 0) return i;
        if (s.StartsWith("SIGRTMIN", StringComparison.Ordinal)) return 34 + Offset(s[8..]);
        if (s.StartsWith("SIGRTMAX", StringComparison.Ordinal)) return 64 + Offset(s[8..]);
        throw new BerthException($"invalid signal: {text}");
    }

    private static int Offset(string s) => s.Length == 0 ? 0 : int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    public static string Name(int sig) => sig > 0 && sig < Names.Length ? Names[sig] : sig.ToString(CultureInfo.InvariantCulture);
}
