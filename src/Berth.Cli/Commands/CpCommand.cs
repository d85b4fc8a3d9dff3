using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine;
using Berth.Engine.Containers;
using Berth.Engine.Layers;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth cp</c>: files between a container and the host (or a tar stream with <c>-</c>), with docker's
/// rules: into an existing directory under the source's name, else to the destination name; a source
/// ending in <c>/.</c> copies a directory's contents.
/// </summary>
internal static class CpCommand
{
    public static readonly CommandSpec Spec = new("cp", "Copy files/folders between a container and the local filesystem", Run)
    {
        Usage = "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
        MinArgs = 2,
        MaxArgs = 2,
        Options =
        [
            OptionSpec.Flag("archive", 'a', "Archive mode (copy all uid/gid information)"),
            OptionSpec.Flag("follow-link", 'L', "Always follow symbol link in SRC_PATH"),
            OptionSpec.Flag("quiet", 'q', "Suppress progress output during copy"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var (srcCtr, srcPath) = Split(a.Arg(0));
        var (dstCtr, dstPath) = Split(a.Arg(1));
        if (srcCtr is not null && dstCtr is not null) throw new BerthException("copying between containers is not supported");
        if (srcCtr is null && dstCtr is null) throw new BerthException("must specify at least one container source");
        var service = ContainerCli.Service(ctx);
        var fs = new ContainerFilesystem(service);
        bool archive = a.Flag("archive");
        ctx.Out.Flush();
        if (srcCtr is not null)
        {
            var c = service.Get(srcCtr);
            var st = fs.Stat(c, srcPath) ?? throw new NotFoundException($"Could not find the file {srcPath} in container {srcCtr}");
            if (dstPath == "-")
            {
                using var stdout = Console.OpenStandardOutput();
                fs.CopyOut(c, srcPath, BaseName(srcPath), stdout);
                return 0;
            }
            var (dir, name) = Target(srcPath, st.IsDirectory, Directory.Exists(dstPath), File.Exists(dstPath), dstPath);
            if (!Directory.Exists(dir)) throw new BerthException($"destination \"{dstPath}\" must be a directory or a regular file");
            long copied = 0;
            ContainerFilesystem.Pipe(w => fs.CopyOut(c, srcPath, name, w),
                r => copied = LayerApplier.Apply(r, dir, new ApplyOptions { Whiteouts = WhiteoutMode.Delete, RestoreOwnership = archive }).UnpackedSize);
            if (!a.Flag("quiet")) ctx.Err.WriteLine($"Successfully copied {Display.Size(copied)} to {dstPath}");
            return 0;
        }
        var target = service.Get(dstCtr!);
        if (srcPath == "-")
        {
            using var stdin = Console.OpenStandardInput();
            fs.CopyIn(target, dstPath, stdin, keepOwnership: true);
            return 0;
        }
        if (!Path.Exists(srcPath)) throw new BerthException($"stat {srcPath}: no such file or directory");
        var dst = fs.Stat(target, dstPath);
        var (cdir, cname) = Target(srcPath, Directory.Exists(srcPath), dst?.IsDirectory == true, dst is { IsDirectory: false }, dstPath);
        if (fs.Stat(target, cdir) is not { IsDirectory: true }) throw new BerthException($"Could not find the file {cdir} in container {dstCtr}");
        long size = 0;
        ContainerFilesystem.Pipe(w => size = LayerDiff.WriteTree(Path.GetFullPath(srcPath.EndsWith("/.", StringComparison.Ordinal) ? srcPath[..^2] : srcPath), w, new TreeOptions { NamePrefix = cname }).UnpackedSize,
            r => fs.CopyIn(target, cdir, r, keepOwnership: archive));
        if (!a.Flag("quiet")) ctx.Err.WriteLine($"Successfully copied {Display.Size(size)} to {dstCtr}:{dstPath}");
        return 0;
    }

    /// <summary>"ctr:/path" → (ctr, /path); a local path (absolute, relative with ./, or without a colon) → (null, path).</summary>
    private static (string? Container, string Path) Split(string arg)
    {
        if (arg == "-" || arg.StartsWith('/') || arg.StartsWith('.')) return (null, arg);
        int colon = arg.IndexOf(':');
        if (colon <= 0) return (null, arg);
        var path = arg[(colon + 1)..];
        return (arg[..colon], path.Length == 0 ? "/" : path);
    }

    /// <summary>Where a copy lands: the directory to extract into, and the top entry's name there.</summary>
    private static (string Dir, string Name) Target(string src, bool srcIsDir, bool dstIsDir, bool dstIsFile, string dst)
    {
        bool contentsOnly = src.EndsWith("/.", StringComparison.Ordinal);
        var trimmed = dst.TrimEnd('/');
        if (trimmed.Length == 0) trimmed = "/";
        if (dstIsDir && !contentsOnly) return (trimmed, BaseName(src));
        if (dstIsFile && srcIsDir) throw new BerthException($"cannot copy a directory to a file: {dst}");
        if (!dstIsDir && !dstIsFile && dst.EndsWith('/') && !srcIsDir) throw new BerthException($"destination directory does not exist: {dst}");
        var parent = Path.GetDirectoryName(trimmed) is { Length: > 0 } p ? p : (trimmed.StartsWith('/') ? "/" : ".");
        return (parent, Path.GetFileName(trimmed));
    }

    private static string BaseName(string path)
    {
        var t = path.EndsWith("/.", StringComparison.Ordinal) ? path[..^2] : path;
        t = t.TrimEnd('/');
        return t.Length == 0 ? "/" : Path.GetFileName(t);
    }
}
