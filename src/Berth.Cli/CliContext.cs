using Berth.Engine;

namespace Berth.Cli;

/// <summary>What every command gets: where the state root is, the output streams, and the engine.</summary>
public sealed class CliContext : IDisposable
{
    private StateRoot? _root;

    public CliContext(string rootPath, bool debug, TextWriter output, TextWriter error)
    {
        RootPath = rootPath;
        Debug = debug;
        Berth.Engine.Runtime.Phases.Enabled = debug; // -D: the commands that mark their phases print them
        Out = output;
        Err = error;
    }

    public string RootPath { get; }
    public bool Debug { get; }
    public TextWriter Out { get; }
    public TextWriter Err { get; }

    /// <summary>The state root, opened on first use.</summary>
    public StateRoot Root => _root ??= new StateRoot(RootPath);

    public bool StdoutIsTerminal => !Console.IsOutputRedirected;

    public void Dispose() => _root?.Dispose();
}
