using Berth.Cli.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth registry</c>: run an OCI distribution registry and collect its garbage.</summary>
internal static class RegistryCommand
{
    public static readonly CommandSpec Spec = new("registry", "Run an OCI registry (serve) and collect its garbage (gc)")
    {
        Subcommands = [RegistryServeCommand.Spec, RegistryGcCommand.Spec],
    };

    /// <summary>Where the registry keeps its data when --root is not given: beside berth's own state.</summary>
    public static string DefaultRoot(CliContext ctx) => Path.Combine(ctx.RootPath, "registry");
}
