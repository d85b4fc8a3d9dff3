using Berth.Cli;
using Berth.Cli.CommandLine;
using Berth.Cli.Commands;
using Berth.Engine;

namespace Berth.Cli
{
    /// <summary>Entry point: global options, command lookup, and the one place errors become exit codes.</summary>
    public static class Cli
    {
        public static int Main(string[] argv)
        {
            var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 14) { AutoFlush = false };
            var stderr = new StreamWriter(Console.OpenStandardError(), new System.Text.UTF8Encoding(false)) { AutoFlush = true };
            try
            {
                return Run(argv, stdout, stderr);
            }
            finally
            {
                try { stdout.Flush(); } catch (IOException) { }
            }
        }

        public static int Run(string[] argv, TextWriter stdout, TextWriter stderr)
        {
            string root = Environment.GetEnvironmentVariable("BERTH_ROOT") is { Length: > 0 } r ? r : StateRoot.DefaultPath;
            bool debug = Environment.GetEnvironmentVariable("BERTH_DEBUG") is "1" or "true";
            int i = 0;
            for (; i < argv.Length && argv[i].StartsWith('-'); i++)
            {
                var a = argv[i];
                string? inline = null;
                int eq = a.IndexOf('=');
                if (a.StartsWith("--", StringComparison.Ordinal) && eq > 0) { inline = a[(eq + 1)..]; a = a[..eq]; }
                switch (a)
                {
                    case "--root":
                        root = inline ?? (i + 1 < argv.Length ? argv[++i] : throw Fail("flag needs an argument: --root"));
                        break;
                    case "-D" or "--debug":
                        debug = true;
                        break;
                    case "-l" or "--log-level":
                        if (inline is null) i++;
                        break;
                    case "-h" or "--help":
                        stdout.Write(HelpWriter.Render(CommandTable.Root, "berth", CommandTable.GlobalOptions));
                        return 0;
                    case "-v" or "--version":
                        stdout.WriteLine($"Berth version {VersionCommand.Version}");
                        return 0;
                    default:
                        stderr.WriteLine($"unknown flag: {a}\nSee 'berth --help'.");
                        return 125;
                }
            }
            if (i >= argv.Length)
            {
                stdout.Write(HelpWriter.Render(CommandTable.Root, "berth", CommandTable.GlobalOptions));
                return 0;
            }

            using var ctx = new CliContext(root, debug, stdout, stderr);
            var command = CommandTable.Root;
            string path = "berth";
            while (i < argv.Length && command.Subcommands.Count > 0)
            {
                var word = argv[i];
                if (word is "--help" or "-h" && command != CommandTable.Root)
                {
                    stdout.Write(HelpWriter.Render(command, path));
                    return 0;
                }
                var next = command.Subcommands.FirstOrDefault(c => c.IsNamed(word));
                if (next is null)
                {
                    if (command.Run is not null) break;
                    stderr.WriteLine(command == CommandTable.Root
                        ? $"berth: '{word}' is not a berth command.\nSee 'berth --help'"
                        : $"berth: '{word}' is not a {path} command.\nSee '{path} --help'");
                    return command == CommandTable.Root ? 1 : 125;
                }
                command = next;
                path += " " + next.Name;
                i++;
            }
            if (command.Run is null)
            {
                stdout.Write(HelpWriter.Render(command, path));
                return 0;
            }
            try
            {
                var parsed = ArgParser.Parse(command, path, argv[i..]);
                return command.Run(ctx, parsed);
            }
            catch (HelpRequested h)
            {
                stdout.Write(HelpWriter.Render(h.Command, h.CommandPath));
                return 0;
            }
            catch (UsageException u)
            {
                stderr.WriteLine(u.ExitCode == 1
                    ? $"{u.Message}\nSee '{u.CommandPath} --help'.\n\nUsage:  {u.CommandPath} {command.Usage}\n\n{command.Summary}"
                    : $"{u.Message}\nSee '{u.CommandPath ?? path} --help'.");
                return u.ExitCode;
            }
            catch (BerthException e)
            {
                try { stdout.Flush(); } catch (IOException) { }
                stderr.WriteLine("Error: " + e.Message);
                if (debug) stderr.WriteLine(e);
                return e.ExitCode;
            }
            catch (OperationCanceledException)
            {
                stderr.WriteLine("Error: cancelled");
                return 130;
            }
            catch (Exception e) when (!debug)
            {
                try { stdout.Flush(); } catch (IOException) { }
                stderr.WriteLine($"Error: {e.Message} ({e.GetType().Name}; run with --debug for details)");
                return 125;
            }
        }

        private static UsageException Fail(string message) => new(message, "berth");
    }
}
