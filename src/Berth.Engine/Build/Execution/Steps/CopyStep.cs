using System.IO.Pipelines;
using System.Text;
using Berth.Engine.Build.Context;
using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Build.Execution.Copy;
using Berth.Engine.Build.Execution.Sources;
using Berth.Engine.Build.Planning;
using Berth.Engine.Layers;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution.Steps;

/// <summary>
/// COPY and ADD: the sources (context, a stage, an image, ADD's URLs and archives, here-documents)
/// are written as one tar stream with the destination's names, owner and mode, and applied onto the
/// step's snapshot, mounted on the host; the snapshot's changes become the layer. The cache key
/// reads the checksums of the context files, or the ID of the stage or image copied from.
/// </summary>
internal sealed class CopyStep : IStepRunner
{
    public static CopyStep Instance { get; } = new();

    /// <summary>Temp directories of downloads and here-documents, made while computing the inputs.</summary>
    private sealed class Prepared : IDisposable
    {
        public List<(string Dir, string Name, bool Download)> Extra { get; } = [];
        public string Checksum = "";

        public void Dispose()
        {
            foreach (var d in Extra.Select(e => e.Dir).Distinct())
                try { Directory.Delete(d, recursive: true); } catch (IOException) { }
        }
    }

    public string? Inputs(StepContext c)
    {
        var s = c.Session;
        var f = (FileInstruction)c.Step.Expanded;
        var prepared = new Prepared();
        c.Prepared = prepared;
        var parts = new StringBuilder();
        switch (c.Step.CopySource)
        {
            case StageSource st:
                parts.Append("stage:").Append(s.StageResults[st.StageIndex].Id);
                break;
            case ImageSource img:
                parts.Append("image:").Append(s.BaseImages.Get(img.Reference).Image.Id);
                break;
            default:
                var ctx = s.Request.Context;
                var matches = ContextMatches(c).SelectMany(m => m).ToList();
                if (matches.Count > 0)
                    prepared.Checksum = CopyChecksum.Compute(ctx.Tree, matches, ctx.Ignore, Excludes(c), s.FileSums);
                parts.Append("context:").Append(prepared.Checksum);
                break;
        }
        foreach (var url in f.Sources.Where(UrlDownload.IsUrl))
        {
            var dir = Path.Combine(s.TmpDir, $"build-add-{Guid.NewGuid():N}");
            Directory.CreateDirectory(dir);
            prepared.Extra.Add((dir, "", true));
            try
            {
                var (name, digest) = UrlDownload.Fetch(url, dir, (f as AddInstruction)?.Checksum, s.Cancellation);
                prepared.Extra[^1] = (dir, name, true);
                parts.Append(";url:").Append(url).Append('=').Append(digest);
                if (prepared.Checksum.Length == 0) prepared.Checksum = digest.Hex;
            }
            catch (BerthException e) { throw s.Error(c.Step, e.Message); }
            catch (HttpRequestException e) { throw s.Error(c.Step, $"failed to download {url}: {e.Message}"); }
        }
        if (f.InlineFiles.Count > 0)
        {
            var dir = Path.Combine(s.TmpDir, $"build-inline-{Guid.NewGuid():N}");
            Directory.CreateDirectory(dir);
            foreach (var file in f.InlineFiles)
            {
                var path = Path.Combine(dir, TreePaths.Name(TreePaths.Clean(file.Name)));
                File.WriteAllText(path, file.Content);
                File.SetUnixFileMode(path, (UnixFileMode)0x1A4);
                File.SetLastWriteTimeUtc(path, DateTime.UnixEpoch);
                prepared.Extra.Add((dir, Path.GetFileName(path), false));
            }
        }
        return parts.ToString();
    }

    public BuildState Execute(StepContext c)
    {
        var s = c.Session;
        var step = c.Step;
        var f = (FileInstruction)step.Expanded;
        using var prepared = (Prepared?)c.Prepared ?? new Prepared();
        var config = c.State.Config;
        var key = BuildSession.NewSnapshotKey();
        Snapshots.Mount target;
        lock (s.StoreLock) target = s.Snapshots.Prepare(key, c.State.ChainId)[0];
        Descriptor? layer;
        string? chain;
        string destination;
        string kind;
        try
        {
            var held = new List<IDisposable>();
            try
            {
                var rootfs = HostMount.Of(target, s.TmpDir);
                held.Add(rootfs);
                var destTree = new DirectoryTree(rootfs.Path, "image");
                held.Add(destTree);
                var attributes = Attributes(c, f, destTree);
                var sources = Sources(c, f, prepared, held);
                var (items, dest, isMulti) = Targets(c, f, sources, destTree, attributes, config.Config?.WorkingDir);
                destination = dest;
                kind = isMulti ? "multi" : items.Count == 1 && items[0].Target.Match.Stat.IsDirectory ? "dir" : "file";
                Apply(rootfs.Path, items, Excludes(c), s.Cancellation);
            }
            finally
            {
                for (int i = held.Count - 1; i >= 0; i--) held[i].Dispose();
            }
            (layer, chain) = s.Layers.Commit(key, c.State.ChainId);
        }
        catch (BerthException e) when (e is not BuildStepException)
        {
            RemoveSnapshot(s, key);
            throw s.Error(step, e.Message, e.ExitCode);
        }
        catch
        {
            RemoveSnapshot(s, key);
            throw;
        }
        var checksum = prepared.Checksum.Length > 0 ? prepared.Checksum : SourceKey(c);
        var createdBy = HistoryText.Copy(f.Keyword, kind, checksum, destination);
        return c.State.Next(StepHistory.After(config, layer, createdBy), layer, chain);
    }

    private static void RemoveSnapshot(BuildSession s, string key)
    {
        lock (s.StoreLock)
            if (s.Snapshots.Stat(key) is not null) s.Snapshots.Remove(key);
    }

    private static string SourceKey(StepContext c) => c.Step.CopySource switch
    {
        StageSource st => c.Session.StageResults[st.StageIndex].Id.Hex,
        ImageSource img => c.Session.BaseImages.Get(img.Reference).Image.Id.Hex,
        _ => "",
    };

    /// <summary>The context matches found before the build started (or now, for ONBUILD steps added later).</summary>
    private static List<CopyMatch>[] ContextMatches(StepContext c) =>
        c.Session.ContextMatches.GetOrAdd(c.Step, step => MatchContext(c.Session, step));

    public static List<CopyMatch>[] MatchContext(BuildSession s, PlannedStep step)
    {
        var f = (FileInstruction)step.Expanded;
        var ctx = s.Request.Context;
        var result = new List<CopyMatch>[f.Sources.Count];
        for (int i = 0; i < f.Sources.Count; i++)
        {
            if (UrlDownload.IsUrl(f.Sources[i])) { result[i] = []; continue; }
            if (f is AddInstruction && UrlDownload.IsGit(f.Sources[i]))
                throw s.Error(step, $"ADD from a git repository ({f.Sources[i]}) is not supported: clone it into the context and COPY it");
            try { result[i] = CopySources.Match(ctx.Tree, ctx.Ignore, f.Sources[i], isContext: true); }
            catch (BerthException e) { throw s.Error(step, $"{f.Keyword} failed: {e.Message}"); }
        }
        return result;
    }

    private static IgnoreMatcher Excludes(StepContext c)
    {
        var f = (FileInstruction)c.Step.Expanded;
        return f.Excludes.Count == 0 ? IgnoreMatcher.Empty : IgnoreMatcher.Create(f.Excludes);
    }

    private sealed record SourceGroup(ISourceTree Tree, IgnoreMatcher Ignore, List<CopyMatch> Matches, bool IsContext, bool FromUrl);

    private static List<SourceGroup> Sources(StepContext c, FileInstruction f, Prepared prepared, List<IDisposable> held)
    {
        var s = c.Session;
        var groups = new List<SourceGroup>();
        switch (c.Step.CopySource)
        {
            case StageSource or ImageSource:
                var state = c.Step.CopySource is StageSource st ? s.StageResults[st.StageIndex] : StageStarts.FromImage(s, ((ImageSource)c.Step.CopySource).Reference);
                var mount = StageStarts.MountReadOnly(s, state);
                held.Add(mount);
                var name = c.Step.CopySource is StageSource ss ? $"stage {s.Plan.Stages.First(p => p.Index == ss.StageIndex).DisplayName}" : $"image {((ImageSource)c.Step.CopySource).Reference.Familiar}";
                var tree = new DirectoryTree(mount.Path, name);
                held.Add(tree);
                foreach (var source in f.Sources)
                    groups.Add(new SourceGroup(tree, IgnoreMatcher.Empty, CopySources.Match(tree, IgnoreMatcher.Empty, source, isContext: false), false, false));
                break;
            default:
                var ctx = s.Request.Context;
                foreach (var matches in ContextMatches(c))
                    if (matches.Count > 0) groups.Add(new SourceGroup(ctx.Tree, ctx.Ignore, matches, true, false));
                break;
        }
        foreach (var dir in prepared.Extra.Select(e => e.Dir).Distinct())
        {
            var tree = new DirectoryTree(dir, "download");
            held.Add(tree);
            foreach (var (d, name, download) in prepared.Extra.Where(e => e.Dir == dir))
                groups.Add(new SourceGroup(tree, IgnoreMatcher.Empty, [new CopyMatch(name, name, tree.Lstat(name)!.Value)], false, download));
        }
        return groups;
    }

    private static CopyAttributes Attributes(StepContext c, FileInstruction f, DirectoryTree destTree)
    {
        uint? uid = null, gid = null;
        if (f.Chown is { Length: > 0 } chown)
            (uid, gid) = Execution.Copy.Chown.Resolve(chown, path => ReadText(destTree, path));
        int? mode = f.Chmod is { Length: > 0 } chmod ? Execution.Copy.Chown.ParseMode(chmod) : null;
        return new CopyAttributes(uid, gid, mode);
    }

    private static string? ReadText(ISourceTree tree, string path)
    {
        var resolved = TreePaths.Resolve(tree, TreePaths.Clean(path), followLast: true);
        if (resolved is null || tree.Lstat(resolved) is not { Kind: SourceKind.File, Size: < 1 << 20 }) return null;
        using var r = new StreamReader(tree.OpenRead(resolved));
        return r.ReadToEnd();
    }

    /// <summary>docker's destination rules: a trailing slash, several sources or an existing directory make it a directory.</summary>
    private static (List<CopyItem> Items, string Destination, bool Multi) Targets(StepContext c, FileInstruction f, List<SourceGroup> groups,
        DirectoryTree destTree, CopyAttributes attributes, string? workdir)
    {
        var dest = f.Destination;
        bool slash = dest.EndsWith('/') || dest == "." || dest.EndsWith("/.");
        var absolute = dest.StartsWith('/') ? dest : "/" + TreePaths.Join(TreePaths.Clean(workdir ?? "/"), dest);
        var destRel = TreePaths.Clean(absolute);
        int total = groups.Sum(g => g.Matches.Count);
        if (total > 1 && !slash)
            throw new BerthException($"When using {f.Keyword} with more than one source file, the destination must be a directory and end with a /");
        bool parents = f is CopyInstruction { Parents: true };
        var existing = TreePaths.Resolve(destTree, destRel, followLast: true) is { } r ? destTree.Lstat(r) : null;
        bool destIsDir = slash || existing is { IsDirectory: true };
        bool unpack = f is AddInstruction add && add.Unpack != false;

        var items = new List<CopyItem>();
        foreach (var g in groups)
        {
            var owner = g.IsContext || g.FromUrl ? attributes with { Uid = attributes.Uid ?? 0, Gid = attributes.Gid ?? 0 } : attributes;
            foreach (var m in g.Matches)
            {
                CopyTarget t;
                bool extract = unpack && !g.FromUrl && g.IsContext && CopyArchive.IsArchive(g.Tree, m);
                if (extract)
                    t = new CopyTarget(m, destRel, !Exists(destTree, destRel), true);
                else if (m.Stat.IsDirectory)
                {
                    var dir = parents ? TreePaths.Join(destRel, m.Path) : destRel;
                    t = new CopyTarget(m, dir, !Exists(destTree, dir), false);
                }
                else
                {
                    var file = destIsDir ? TreePaths.Join(destRel, parents ? m.Path : TreePaths.Name(m.Path)) : destRel;
                    if (file.Length == 0) throw new BerthException($"cannot {f.Keyword} a file onto /");
                    t = new CopyTarget(m, file, false, false);
                }
                items.Add(new CopyItem(g.Tree, g.Ignore, t, extract ? attributes : owner));
            }
        }
        return (items, f.Destination, total > 1);
    }

    private static bool Exists(DirectoryTree tree, string path) =>
        path.Length == 0 || TreePaths.Resolve(tree, path, followLast: true) is { } r && tree.Lstat(r) is not null;

    /// <summary>Streams the sources as a tar into the layer applier, which writes them below <paramref name="root"/> and nowhere else.</summary>
    private static void Apply(string root, List<CopyItem> items, IgnoreMatcher excludes, CancellationToken ct)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, useSynchronizationContext: false));
        var producer = Task.Run(() =>
        {
            try
            {
                using (var output = pipe.Writer.AsStream(leaveOpen: true)) CopyArchive.Write(output, items, excludes);
                pipe.Writer.Complete();
            }
            catch (Exception e)
            {
                pipe.Writer.Complete(e);
            }
        }, ct);
        try
        {
            using var input = pipe.Reader.AsStream();
            LayerApplier.Apply(input, root, new ApplyOptions { Whiteouts = WhiteoutMode.Delete }, ct);
        }
        finally
        {
            pipe.Reader.Complete();
            producer.GetAwaiter().GetResult();
        }
    }
}
