using System.Text;
using Berth.Engine.Build.Context;
using Berth.Engine.Build.Execution.Copy;
using Berth.Engine.Build.Execution.Sources;
using Berth.Engine.Build.Planning;
using Berth.Engine.Containers;

namespace Berth.Engine.Build.Execution.Run;

/// <summary>
/// <c>RUN --mount</c>: <c>type=bind</c> (read-only, from the context or a stage), <c>type=cache</c>
/// (a directory under the state root that outlives builds, by id), <c>type=tmpfs</c>.
/// <c>secret</c> and <c>ssh</c> mounts are not provided: optional ones are left out, required
/// ones fail the step. What a bind mount shows is part of the step's cache key.
/// </summary>
internal sealed class RunMounts : IDisposable
{
    private readonly List<IDisposable> _held = [];

    public List<MountSpec> Specs { get; } = [];

    public static string? Inputs(StepContext c)
    {
        if (c.Step.Mounts.Count == 0) return null;
        var sb = new StringBuilder();
        foreach (var (m, source) in c.Step.Mounts)
        {
            if (m.Type != "bind") continue;
            sb.Append(m.Target).Append('=');
            switch (source)
            {
                case ContextSource:
                    var ctx = c.Session.Request.Context;
                    var matches = CopySources.Match(ctx.Tree, ctx.Ignore, m.Source ?? ".", isContext: true);
                    sb.Append(CopyChecksum.Compute(ctx.Tree, matches, ctx.Ignore, IgnoreMatcher.Empty, c.Session.FileSums));
                    break;
                case StageSource st:
                    sb.Append(c.Session.StageResults[st.StageIndex].Id);
                    break;
                case ImageSource img:
                    sb.Append(c.Session.BaseImages.Get(img.Reference).Image.Id);
                    break;
            }
            sb.Append(';');
        }
        return sb.ToString();
    }

    public static RunMounts Prepare(StepContext c)
    {
        var result = new RunMounts();
        try
        {
            foreach (var (m, source) in c.Step.Mounts) result.Add(c, m, source);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private void Add(StepContext c, Dockerfile.RunMount m, BuildSource source)
    {
        var s = c.Session;
        var target = m.Target is { Length: > 0 } t ? ConfigInstructions.ResolveWorkdir(c.State.Config.Config?.WorkingDir, t) : null;
        switch (m.Type)
        {
            case "tmpfs":
                Specs.Add(new MountSpec { Type = "tmpfs", Target = target ?? throw s.Error(c.Step, "tmpfs mount needs a target"),
                    Options = m.SizeLimit is { } size ? $"size={size}" : "" });
                break;
            case "cache":
                var id = m.Id ?? target ?? throw s.Error(c.Step, "cache mount needs a target");
                var dir = CacheMounts.For(s.Root, id);
                if (!Directory.Exists(dir))
                {
                    Directory.CreateDirectory(dir);
                    File.SetUnixFileMode(dir, (UnixFileMode)(m.Mode ?? 0x1ED));
                    if (m.Uid is not null || m.Gid is not null)
                        Layers.Posix.FchownAt(Layers.Posix.AT_FDCWD, Encoding.UTF8.GetBytes(dir), m.Uid ?? 0, m.Gid ?? 0);
                }
                Specs.Add(new MountSpec { Type = "bind", Source = dir, Target = target!, ReadOnly = m.ReadOnly });
                break;
            case "bind":
                if (target is null) throw s.Error(c.Step, "bind mount needs a target");
                Specs.Add(new MountSpec { Type = "bind", Source = BindSource(c, m, source), Target = target, ReadOnly = true });
                break;
            default:
                if (m.Required) throw s.Error(c.Step, $"{m.Type} mounts are not supported by berth build yet (the step requires one)");
                break;
        }
    }

    private string BindSource(StepContext c, Dockerfile.RunMount m, BuildSource source)
    {
        var s = c.Session;
        string root;
        ISourceTree tree;
        switch (source)
        {
            case ContextSource:
                var ctx = s.Request.Context;
                root = ctx.Directory ?? throw s.Error(c.Step, "RUN --mount=type=bind from a tar context is not supported: build from a directory");
                tree = ctx.Tree;
                break;
            default:
                var state = source switch
                {
                    StageSource st => s.StageResults[st.StageIndex],
                    ImageSource img => StageStarts.FromImage(s, img.Reference),
                    _ => null,
                };
                var mount = StageStarts.MountReadOnly(s, state);
                _held.Add(mount);
                root = mount.Path;
                tree = new DirectoryTree(root, "mount source");
                _held.Add(tree);
                break;
        }
        var resolved = TreePaths.Resolve(tree, TreePaths.Clean(m.Source ?? ""), followLast: true)
            ?? throw s.Error(c.Step, $"mount source {m.Source} not found");
        return Path.Combine(root, resolved);
    }

    public void Dispose()
    {
        for (int i = _held.Count - 1; i >= 0; i--) _held[i].Dispose();
    }
}
