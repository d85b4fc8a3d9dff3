using Berth.Cli.CommandLine;
using Berth.Engine.Distribution;

namespace Berth.Cli.Commands;

internal static class LogoutCommand
{
    public static readonly CommandSpec Spec = new("logout", "Log out from a registry", Run)
    {
        Usage = "[SERVER]",
        MaxArgs = 1,
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var domain = RegistryAccess.ServerDomain(a.Args.Count > 0 ? a.Arg(0) : null);
        var shown = RegistryHosts.AuthKey(domain);
        if (!CredentialStore.Default().Remove(domain))
        {
            ctx.Out.Write($"Not logged in to {shown}\n");
            return 0;
        }
        ctx.Out.Write($"Removing login credentials for {shown}\n");
        return 0;
    }
}
