using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Distribution;

namespace Berth.Cli.Commands;

internal static class LoginCommand
{
    public static readonly CommandSpec Spec = new("login", "Log in to a registry", Run)
    {
        Usage = "[OPTIONS] [SERVER]",
        MaxArgs = 1,
        Options =
        [
            OptionSpec.Value("username", 'u', "Username"),
            OptionSpec.Value("password", 'p', "Password or Personal Access Token (PAT)"),
            OptionSpec.Flag("password-stdin", "Take the Password or Personal Access Token (PAT) from stdin"),
            RegistryAccess.InsecureRegistryOption,
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var domain = RegistryAccess.ServerDomain(a.Args.Count > 0 ? a.Arg(0) : null);
        var user = a.Value("username");
        var password = a.Value("password");
        if (a.Flag("password-stdin"))
        {
            if (password is not null) throw new BerthException("--password and --password-stdin are mutually exclusive");
            if (user is null) throw new BerthException("must provide --username with --password-stdin");
            password = Console.In.ReadToEnd().TrimEnd('\n', '\r');
        }
        else if (password is not null)
        {
            ctx.Err.WriteLine("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        }
        if (user is null)
        {
            ctx.Out.Write("Username: ");
            ctx.Out.Flush();
            user = Console.In.ReadLine()?.Trim();
        }
        if (string.IsNullOrEmpty(user)) throw new BerthException("Username is required: give -u USER");
        if (password is null)
        {
            ctx.Out.Write("Password: ");
            ctx.Out.Flush();
            password = ReadSecret();
            ctx.Out.Write("\n");
        }
        if (string.IsNullOrEmpty(password)) throw new BerthException("Password is required: give --password-stdin or -p");

        var credential = new Credential(user, password);
        using var registries = RegistryAccess.Open(a);
        using var client = new RegistryClient(domain, registries.Hosts, credential);
        using var cts = RegistryAccess.CancelOnCtrlC();
        try { client.VerifyLoginAsync(cts.Token).GetAwaiter().GetResult(); }
        catch (BerthException e) { throw new BerthException($"login {domain}: {e.Message}", e.ExitCode, e); }
        registries.Credentials.Set(domain, credential);
        ctx.Out.Write("Login Succeeded\n");
        return 0;
    }

    private static string? ReadSecret()
    {
        if (Console.IsInputRedirected) return Console.In.ReadLine();
        var sb = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) return sb.ToString();
            if (key.Key == ConsoleKey.Backspace) { if (sb.Length > 0) sb.Length--; continue; }
            if (!char.IsControl(key.KeyChar)) sb.Append(key.KeyChar);
        }
    }
}
