namespace Berth.Engine.Snapshots;

/// <summary>
/// One mount a snapshot needs, as mount(8) takes it: <c>overlay</c> with lowerdir/upperdir/workdir
/// options, or a <c>bind</c> of a single directory.
/// </summary>
public sealed record Mount(string Type, string Source, IReadOnlyList<string> Options)
{
    public string OptionString => string.Join(',', Options);

    public bool ReadOnly => Options.Contains("ro");

    /// <summary>The overlay's lower directories, top first (empty for a bind).</summary>
    public IReadOnlyList<string> LowerDirs =>
        Options.FirstOrDefault(o => o.StartsWith("lowerdir=", StringComparison.Ordinal)) is { } l ? l[9..].Split(':') : [];

    public string? UpperDir =>
        Options.FirstOrDefault(o => o.StartsWith("upperdir=", StringComparison.Ordinal))?[9..];
}
