namespace Berth.Cli.CommandLine;

/// <summary>
/// Parses argv the way docker's pflag does: <c>--name v</c>, <c>--name=v</c>, <c>-n v</c>, <c>-nv</c>,
/// bundled switches <c>-it</c>, <c>--rm=false</c>, and <c>--</c> to end options.
/// </summary>
public static class ArgParser
{
    public static ParsedArgs Parse(CommandSpec command, string commandPath, IReadOnlyList<string> argv)
    {
        var result = new ParsedArgs(commandPath, []);
        var positional = new List<string>();
        bool optionsDone = false;
        for (int i = 0; i < argv.Count; i++)
        {
            var token = argv[i];
            if (optionsDone || token == "-" || !token.StartsWith('-'))
            {
                positional.Add(token);
                if (command.StopAtFirstArg) optionsDone = true;
                continue;
            }
            if (token == "--") { optionsDone = true; continue; }
            if (token.StartsWith("--", StringComparison.Ordinal))
            {
                var body = token[2..];
                string? inline = null;
                int eq = body.IndexOf('=');
                if (eq >= 0) { inline = body[(eq + 1)..]; body = body[..eq]; }
                if (body == "help") throw new HelpRequested(command, commandPath);
                var spec = command.Options.FirstOrDefault(o => o.Long == body)
                    ?? throw new UsageException($"unknown flag: --{body}", commandPath);
                i = Take(spec, "--" + body, inline, argv, i, result, commandPath);
                continue;
            }
            // Shorthand cluster: -it, -p8080:80, -e=A=1
            for (int j = 1; j < token.Length; j++)
            {
                char c = token[j];
                if (c == 'h' && !command.Options.Any(o => o.Short == 'h')) throw new HelpRequested(command, commandPath);
                var spec = command.Options.FirstOrDefault(o => o.Short == c)
                    ?? throw new UsageException($"unknown shorthand flag: '{c}' in {token}", commandPath);
                if (spec.Kind == OptionKind.Flag)
                {
                    if (j + 1 < token.Length && token[j + 1] == '=')
                    {
                        result.Add(spec.Long, ParseBool(token[(j + 2)..], "-" + c, commandPath));
                        break;
                    }
                    result.Add(spec.Long, "true");
                    continue;
                }
                var rest = token[(j + 1)..];
                if (rest.StartsWith('=')) rest = rest[1..];
                i = Take(spec, "-" + c, rest.Length > 0 ? rest : null, argv, i, result, commandPath);
                break;
            }
        }
        if (positional.Count < command.MinArgs || positional.Count > command.MaxArgs)
            throw new UsageException(ArgCountMessage(command, commandPath), commandPath, exitCode: 1);
        result.Args = positional;
        return result;
    }

    private static int Take(OptionSpec spec, string shown, string? inline, IReadOnlyList<string> argv, int i, ParsedArgs result, string commandPath)
    {
        if (spec.Kind == OptionKind.Flag)
        {
            result.Add(spec.Long, inline is null ? "true" : ParseBool(inline, shown, commandPath));
            return i;
        }
        if (inline is null)
        {
            if (i + 1 >= argv.Count) throw new UsageException($"flag needs an argument: {shown}", commandPath);
            inline = argv[++i];
        }
        result.Add(spec.Long, inline);
        return i;
    }

    private static string ParseBool(string v, string shown, string commandPath) => v.ToLowerInvariant() switch
    {
        "true" or "1" or "t" => "true",
        "false" or "0" or "f" => "false",
        _ => throw new UsageException($"invalid argument \"{v}\" for \"{shown}\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax", commandPath),
    };

    private static string ArgCountMessage(CommandSpec c, string path)
    {
        string need = (c.MinArgs, c.MaxArgs) switch
        {
            (var a, var b) when a == b => $"exactly {a} argument{(a == 1 ? "" : "s")}",
            (var a, int.MaxValue) => $"at least {a} argument{(a == 1 ? "" : "s")}",
            (0, var b) => $"at most {b} argument{(b == 1 ? "" : "s")}",
            (var a, var b) => $"between {a} and {b} arguments",
        };
        return $"\"{path}\" requires {need}.";
    }
}

/// <summary>--help was given: print the command's help and exit 0.</summary>
public sealed class HelpRequested(CommandSpec command, string commandPath) : Exception("help")
{
    public CommandSpec Command { get; } = command;
    public string CommandPath { get; } = commandPath;
}
