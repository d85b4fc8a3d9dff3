using System.Text.Json.Nodes;
using Berth.Cli.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth inspect</c>: any object by name or ID, looked up in docker's order of types.</summary>
internal static class InspectCommand
{
    /// <summary>The object types inspect knows, in lookup order; each domain adds its own.</summary>
    public static readonly IReadOnlyList<(string Type, Func<CliContext, string, JsonNode?> Find)> Types =
    [
        ("container", ContainerInspectCommand.Find),
        ("image", ImageInspectCommand.Find),
        ("volume", (ctx, name) => ContainerCli.Service(ctx).Volumes.Get(name) is { } v ? VolumeCommands.Json(v) : null),
    ];

    public static readonly CommandSpec Spec = new("inspect", "Return low-level information on Berth objects", Run)
    {
        Usage = "[OPTIONS] NAME|ID [NAME|ID...]",
        MinArgs = 1,
        Options =
        [
            OptionSpec.Value("format", 'f', "Format output using a custom template: 'json', or a Go template"),
            OptionSpec.Flag("size", 's', "Display total file sizes if the type is container"),
            OptionSpec.Value("type", "Only inspect objects of the given type"),
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var type = a.Value("type");
        var types = Types.Where(t => type is null || t.Type == type).ToList();
        if (types.Count == 0)
            throw new UsageException($"\"{type}\" is not a valid value for --type: use {string.Join(", ", Types.Select(t => t.Type))}", "berth inspect");
        return InspectOutput.Write(ctx, a, name =>
        {
            foreach (var (_, find) in types)
                if (find(ctx, name) is { } node) return node;
            return null;
        }, type ?? "object");
    }
}
