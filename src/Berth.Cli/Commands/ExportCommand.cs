using Berth.Cli.CommandLine;
using Berth.Engine;
using Berth.Engine.Containers;

namespace Berth.Cli.Commands;

/// <summary><c>berth export</c>: a container's filesystem as a tar archive.</summary>
internal static class ExportCommand
{
    public static readonly CommandSpec Spec = new("export", "Export a container's filesystem as a tar archive", Run)
    {
        Usage = "[OPTIONS] CONTAINER",
        MinArgs = 1,
        MaxArgs = 1,
        Options = [OptionSpec.Value("output", 'o', "Write to a file, instead of STDOUT")],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var service = ContainerCli.Service(ctx);
        var container = service.Get(a.Arg(0));
        var file = a.Value("output");
        if (file is null && !Console.IsOutputRedirected)
            throw new BerthException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
        ctx.Out.Flush();
        using var _ = ctx.Root.SharedLock();
        if (file is null)
        {
            using var stdout = Console.OpenStandardOutput();
            ContainerExport.Write(service, container, stdout);
            return 0;
        }
        var tmp = Berth.Engine.Util.AtomicFile.TempPathFor(file);
        try
        {
            using (var f = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                ContainerExport.Write(service, container, f);
            File.Move(tmp, file, overwrite: true);
        }
        finally
        {
            File.Delete(tmp);
        }
        return 0;
    }
}
