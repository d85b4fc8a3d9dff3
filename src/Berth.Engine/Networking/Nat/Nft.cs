using Berth.Engine.Runtime.Interop;

namespace Berth.Engine.Networking.Nat;

/// <summary>Runs Debian's <c>nft</c> with a script on stdin: each script is one atomic transaction.</summary>
internal static class Nft
{
    private static readonly Lazy<string?> s_path = new(() =>
        new[] { "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft" }.FirstOrDefault(File.Exists));

    public static bool Available => s_path.Value is not null;

    /// <summary>Applies <paramref name="script"/>; throws "<paramref name="what"/>: nft's first error line" when it fails.</summary>
    public static void Apply(string script, string what)
    {
        var (code, output) = Run(script);
        if (code != 0)
        {
            var reason = output.Split('\n').FirstOrDefault(l => l.StartsWith("Error:", StringComparison.Ordinal))?["Error:".Length..].Trim()
                ?? output.Trim();
            throw new NftException($"{what}: nft: {reason}");
        }
    }

    /// <summary>Applies <paramref name="script"/>, ignoring failure (removal of what may already be gone).</summary>
    public static void TryApply(string script) => Run(script);

    private static (int, string) Run(string script)
    {
        var nft = s_path.Value ?? throw new BerthException("nft not found: berth's NAT and published ports need nftables (apt-get install nftables)", BerthException.EngineError);
        var (read, write) = Fds.Pipe();
        try
        {
            // The whole script fits in the pipe's buffer, so it is written before nft starts reading.
            var bytes = System.Text.Encoding.UTF8.GetBytes(script);
            if (bytes.Length > 60_000) Libc.fcntl(write, Libc.F_SETPIPE_SZ, bytes.Length + 4096);
            Fds.WriteAll(write, bytes);
            Fds.Close(ref write);
            return ChildProcess.Run(nft, ["nft", "-f", "-"], ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], read);
        }
        finally
        {
            Fds.Close(ref read);
            Fds.Close(ref write);
        }
    }
}

internal sealed class NftException(string message) : BerthException(message, EngineError);
