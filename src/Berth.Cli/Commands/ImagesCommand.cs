using System.Text.Json.Nodes;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine;
using Berth.Engine.Images;
using Berth.Engine.Oci;
using Berth.Engine.Util;

namespace Berth.Cli.Commands;

internal static class ImagesCommand
{
    public static readonly CommandSpec Spec = new("images", "List images", Run)
    {
        Usage = "[OPTIONS] [REPOSITORY[:TAG]]",
        MaxArgs = 1,
        Options =
        [
            OptionSpec.Flag("all", 'a', "Show all images (default hides intermediate images)"),
            OptionSpec.Flag("digests", "Show digests"),
            OptionSpec.List("filter", 'f', "Filter output based on conditions provided (reference=, dangling=, label=, before=, since=)", "filter"),
            OptionSpec.Value("format", "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"),
            OptionSpec.Flag("no-trunc", "Don't truncate output"),
            OptionSpec.Flag("quiet", 'q', "Only show image IDs"),
        ],
    };

    private sealed record Row(ImageRecord Image, string Repository, string Tag, string Digest);

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var store = ctx.Root.Images;
        var images = store.List(includeIntermediate: a.Flag("all"));
        var filters = ImageFilters.Parse(a.Values("filter"), store);
        bool noTrunc = a.Flag("no-trunc");

        var rows = new List<Row>();
        foreach (var image in images)
        {
            if (!filters.MatchesImage(image)) continue;
            var names = image.Tags.Select(t => (Repo: t.FamiliarRepository, Tag: t.Tag!)).ToList();
            var digestOf = image.RepoDigests.GroupBy(d => d.FamiliarRepository).ToDictionary(g => g.Key, g => g.First().Digest!.ToString()!);
            foreach (var repoOnly in digestOf.Keys.Where(r => names.All(n => n.Repo != r)))
                names.Add((repoOnly, "<none>"));
            if (names.Count == 0) names.Add(("<none>", "<none>"));
            foreach (var (repo, tag) in names)
            {
                if (!filters.MatchesName(repo, tag)) continue;
                if (a.Args.Count == 1 && !MatchesArgument(a.Args[0], repo, tag)) continue;
                rows.Add(new Row(image, repo, tag, digestOf.TryGetValue(repo, out var dg) ? dg : "<none>"));
            }
        }

        if (a.Flag("quiet"))
        {
            foreach (var id in rows.Select(r => r.Image.Id).Distinct())
                ctx.Out.Write(Display.Id(id, noTrunc) + "\n");
            return 0;
        }

        var sizes = ImageSizes.Compute(images, ctx.Root.Snapshots.Walk());
        string SizeText(ImageRecord i) =>
            sizes[i] is var s && s.Base is null ? Display.Size(s.Virtual) : $"{Display.Size(s.Own)} (virtual {Display.Size(s.Virtual)})";

        var json = string.IsNullOrEmpty(a.Value("format")) ? [] : rows.Select(r => new JsonObject
        {
            ["Containers"] = "N/A",
            ["CreatedAt"] = Display.Timestamp(r.Image.Created),
            ["CreatedSince"] = Display.Ago(r.Image.Created),
            ["Digest"] = r.Digest,
            ["ID"] = Display.Id(r.Image.Id, noTrunc),
            ["Repository"] = r.Repository,
            ["SharedSize"] = Display.Size(sizes[r.Image].Virtual - sizes[r.Image].Own),
            ["Size"] = SizeText(r.Image),
            ["Tag"] = r.Tag,
            ["UniqueSize"] = Display.Size(sizes[r.Image].Own),
            ["VirtualSize"] = Display.Size(sizes[r.Image].Virtual),
        }).ToList();

        Formatter.WriteRows(ctx.Out, a.Value("format"), json, () =>
        {
            var table = a.Flag("digests")
                ? new Table("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE")
                : new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
            foreach (var r in rows)
            {
                var cells = new List<string> { r.Repository, r.Tag };
                if (a.Flag("digests")) cells.Add(r.Digest);
                cells.AddRange([Display.Id(r.Image.Id, noTrunc), Display.Ago(r.Image.Created), SizeText(r.Image)]);
                table.Add([.. cells]);
            }
            table.Write(ctx.Out);
        }, new Dictionary<string, string> { ["ID"] = "IMAGE ID", ["CreatedSince"] = "CREATED", ["CreatedAt"] = "CREATED AT" });
        return 0;
    }

    /// <summary><c>berth images busybox</c> lists every tag of busybox; <c>busybox:1</c> just that tag.</summary>
    private static bool MatchesArgument(string arg, string repo, string tag)
    {
        var r = ImageReference.ParseNoDefaults(arg);
        return r.FamiliarRepository == repo && (r.Tag is null || r.Tag == tag);
    }
}

/// <summary>docker's image filters: reference (glob), dangling, label, before, since.</summary>
internal sealed class ImageFilters
{
    private readonly List<string> _references = [];
    private bool? _dangling;
    private readonly List<(string Key, string? Value)> _labels = [];
    private DateTimeOffset? _before, _since;
    private readonly ImageStore _store;

    private ImageFilters(ImageStore store) => _store = store;

    public static ImageFilters Parse(IReadOnlyList<string> specs, ImageStore store)
    {
        var f = new ImageFilters(store);
        foreach (var spec in specs)
        {
            int eq = spec.IndexOf('=');
            if (eq <= 0) throw new BerthException($"bad format of filter (expected name=value): {spec}");
            var (key, value) = (spec[..eq].ToLowerInvariant(), spec[(eq + 1)..]);
            switch (key)
            {
                case "reference": f._references.Add(value); break;
                case "dangling":
                    f._dangling = value.ToLowerInvariant() switch
                    {
                        "true" or "1" => true,
                        "false" or "0" => false,
                        _ => throw new BerthException($"invalid filter 'dangling={value}': use true or false"),
                    };
                    break;
                case "label":
                    int e2 = value.IndexOf('=');
                    f._labels.Add(e2 < 0 ? (value, null) : (value[..e2], value[(e2 + 1)..]));
                    break;
                case "before": f._before = store.Resolve(value).Created; break;
                case "since": f._since = store.Resolve(value).Created; break;
                default: throw new BerthException($"invalid filter '{key}': use reference, dangling, label, before or since");
            }
        }
        return f;
    }

    public bool MatchesImage(ImageRecord image)
    {
        if (_dangling is { } d && d != (image.Tags.Count == 0)) return false;
        if (_before is { } b && !(image.Created < b)) return false;
        if (_since is { } s && !(image.Created > s)) return false;
        if (_labels.Count > 0)
        {
            var labels = _store.ReadConfig(image).Config?.Labels ?? [];
            foreach (var (k, v) in _labels)
                if (!labels.TryGetValue(k, out var have) || (v is not null && have != v)) return false;
        }
        return true;
    }

    public bool MatchesName(string repo, string tag)
    {
        if (_references.Count == 0) return true;
        foreach (var pattern in _references)
        {
            bool hasTag = pattern.LastIndexOf(':') > pattern.LastIndexOf('/');
            var subject = hasTag ? $"{repo}:{tag}" : repo;
            if (Glob.Match(pattern, subject)) return true;
        }
        return false;
    }
}
