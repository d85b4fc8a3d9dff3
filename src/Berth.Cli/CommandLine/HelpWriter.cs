using System.Text;

namespace Berth.Cli.CommandLine;

/// <summary>Help text in docker's layout: Usage, summary, Aliases, Commands, Options.</summary>
public static class HelpWriter
{
    public static string Render(CommandSpec command, string path, IReadOnlyList<OptionSpec>? globalOptions = null)
    {
        var sb = new StringBuilder();
        sb.Append('\n');
        if (command.Subcommands.Count > 0 && command.Run is null)
            sb.Append($"Usage:  {path} {(globalOptions is null ? "" : "[OPTIONS] ")}COMMAND\n");
        else
            sb.Append($"Usage:  {path} {command.Usage}\n");
        sb.Append('\n').Append(command.Summary).Append('\n');
        if (command.Aliases.Length > 0)
        {
            var parent = path.Contains(' ') ? path[..path.LastIndexOf(' ')] : path;
            sb.Append("\nAliases:\n  ").Append(string.Join(", ", new[] { path }.Concat(command.Aliases.Select(a => $"{parent} {a}")))).Append('\n');
        }
        var options = globalOptions ?? command.Options;
        if (options.Any(o => !o.Hidden))
        {
            sb.Append("\nOptions:\n");
            var rows = options.Where(o => !o.Hidden).Select(o =>
            {
                var left = (o.Short is { } s ? $"-{s}, " : "    ") + "--" + o.Long + (o.Kind == OptionKind.Flag ? "" : " " + o.ValueName);
                var help = o.Help + (o.Default is { } d ? $" (default {d})" : "");
                return (left, help);
            }).ToList();
            int width = rows.Max(r => r.left.Length) + 3;
            foreach (var (left, help) in rows) sb.Append("  ").Append(left.PadRight(width)).Append(help).Append('\n');
        }
        var visible = command.Subcommands.Where(c => !c.Hidden).ToList();
        if (visible.Count > 0)
        {
            sb.Append("\nCommands:\n");
            int width = visible.Max(c => c.Name.Length) + 3;
            foreach (var c in visible) sb.Append("  ").Append(c.Name.PadRight(width)).Append(c.Summary).Append('\n');
            sb.Append($"\nRun '{path} COMMAND --help' for more information on a command.\n");
        }
        return sb.ToString();
    }
}
