namespace Berth.Engine.Compose;

/// <summary>A compose file that cannot be used: <c>compose.yml:4:7: services.web.ports[0]: invalid port "x"</c>.</summary>
public sealed class ComposeException(string message) : BerthException(message)
{
    public static ComposeException At(string file, int line, int column, string message) =>
        new($"{Path.GetFileName(file)}:{line}:{column}: {message}");
}
