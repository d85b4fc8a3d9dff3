using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine;
using Berth.Engine.Images;
using Berth.Engine.Oci;

namespace Berth.Cli.Commands;

/// <summary><c>berth image inspect</c>, and the image side of <c>berth inspect</c>: docker's JSON shape.</summary>
internal static class ImageInspectCommand
{
    public static readonly CommandSpec Spec = new("inspect", "Display detailed information on one or more images", Run)
    {
        Usage = "[OPTIONS] IMAGE [IMAGE...]",
        MinArgs = 1,
        Options = [OptionSpec.Value("format", 'f', "Format output using a custom template: 'json', or a Go template")],
    };

    private static int Run(CliContext ctx, ParsedArgs a) =>
        InspectOutput.Write(ctx, a, name => Find(ctx, name), "image");

    /// <summary>The image's inspect JSON, or null when no image has that name.</summary>
    public static JsonNode? Find(CliContext ctx, string name)
    {
        var store = ctx.Root.Images;
        var image = store.Find(name);
        if (image is null) return null;
        var config = store.ReadConfig(image);
        var snapshots = ctx.Root.Snapshots;
        long size = image.Layers.Sum(l => snapshots.Stat(l.ChainId.ToString())?.Size ?? l.DiffSize ?? l.Blob.Size);
        var c = config.Config ?? new ContainerConfig();
        var lowers = image.TopChainId is { } top && snapshots.Stat(top.ToString()) is not null
            ? string.Join(':', new[] { snapshots.ChangesDir(top.ToString()) }.Concat(snapshots.LowerDirs(top.ToString())))
            : "";
        return new JsonObject
        {
            ["Id"] = image.Id.ToString(),
            ["RepoTags"] = Strings(image.Tags.Select(t => t.Familiar)),
            ["RepoDigests"] = Strings(image.RepoDigests.Select(d => d.Familiar)),
            ["Parent"] = "",
            ["Comment"] = config.History?.LastOrDefault()?.Comment ?? "",
            ["Created"] = Display.Rfc3339(config.Created),
            ["DockerVersion"] = "",
            ["Author"] = config.Author ?? "",
            ["Config"] = new JsonObject
            {
                ["Hostname"] = "",
                ["Domainname"] = "",
                ["User"] = c.User ?? "",
                ["AttachStdin"] = false,
                ["AttachStdout"] = false,
                ["AttachStderr"] = false,
                ["ExposedPorts"] = Set(c.ExposedPorts?.Keys),
                ["Tty"] = false,
                ["OpenStdin"] = false,
                ["StdinOnce"] = false,
                ["Env"] = Strings(c.Env),
                ["Cmd"] = Strings(c.Cmd),
                ["Healthcheck"] = c.Healthcheck is { } h ? JsonSerializer.SerializeToNode(h, OciJson.Default.HealthConfig) : null,
                ["ArgsEscaped"] = c.ArgsEscaped,
                ["Image"] = "",
                ["Volumes"] = Set(c.Volumes?.Keys),
                ["WorkingDir"] = c.WorkingDir ?? "",
                ["Entrypoint"] = Strings(c.Entrypoint),
                ["OnBuild"] = Strings(c.OnBuild),
                ["Labels"] = c.Labels is null ? null : new JsonObject(c.Labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                ["StopSignal"] = c.StopSignal,
                ["Shell"] = Strings(c.Shell),
            },
            ["Architecture"] = config.Architecture,
            ["Variant"] = config.Variant,
            ["Os"] = config.Os,
            ["Size"] = size,
            ["VirtualSize"] = size,
            ["GraphDriver"] = new JsonObject
            {
                ["Data"] = new JsonObject { ["LowerDir"] = lowers },
                ["Name"] = "overlay",
            },
            ["RootFS"] = new JsonObject
            {
                ["Type"] = "layers",
                ["Layers"] = Strings(image.Layers.Select(l => l.DiffId.ToString())),
            },
            ["Descriptor"] = new JsonObject
            {
                ["mediaType"] = image.Manifest.MediaType,
                ["digest"] = image.Manifest.Digest.ToString(),
                ["size"] = image.Manifest.Size,
            },
            ["Metadata"] = new JsonObject { ["LastTagTime"] = Display.Rfc3339(store.LastTagTime(image.Id)) },
        };
    }

    private static JsonArray? Strings(IEnumerable<string>? items) =>
        items is null ? null : new JsonArray(items.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());

    private static JsonObject? Set(IEnumerable<string>? keys) =>
        keys is null ? null : new JsonObject(keys.Select(k => KeyValuePair.Create(k, (JsonNode?)new JsonObject())));
}

/// <summary>What every inspect command shares: a JSON array of objects, or each object through -f.</summary>
internal static class InspectOutput
{
    public static int Write(CliContext ctx, ParsedArgs a, Func<string, JsonNode?> find, string kind)
    {
        var found = new List<JsonNode>();
        int status = 0;
        var missing = new List<string>();
        foreach (var name in a.Args)
        {
            if (find(name) is { } node) found.Add(node);
            else { missing.Add(name); status = 1; }
        }
        if (a.Value("format") is { } format && format != "json")
            Formatter.WriteEach(ctx.Out, format, found);
        else
            ctx.Out.Write(new JsonArray(found.ToArray()).ToJsonString(Pretty) + "\n");
        ctx.Out.Flush();
        foreach (var m in missing) ctx.Err.WriteLine($"Error: No such {kind}: {m}");
        return status;
    }

    public static readonly JsonSerializerOptions Pretty = new()
    {
        WriteIndented = true,
        IndentSize = 4,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(),
    };
}
