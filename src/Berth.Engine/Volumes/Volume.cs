namespace Berth.Engine.Volumes;

/// <summary>A named volume: a directory Berth owns, <c>volumes/&lt;name&gt;/_data</c>, mounted into containers.</summary>
public sealed record Volume(string Name, string Driver, DateTimeOffset Created, Dictionary<string, string> Labels, bool Anonymous, string Mountpoint);
