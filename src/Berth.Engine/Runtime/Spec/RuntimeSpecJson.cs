using System.Text.Json.Serialization;

namespace Berth.Engine.Runtime.Spec;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(RuntimeSpec))]
internal sealed partial class RuntimeSpecJson : JsonSerializerContext;

/// <summary>Reading and writing a bundle's config.json, with the versions Berth accepts checked.</summary>
public static class RuntimeSpecFile
{
    public const string Name = "config.json";

    public static RuntimeSpec Read(string bundleDir)
    {
        var path = Path.Combine(bundleDir, Name);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new BerthException($"{path} does not exist: not an OCI runtime bundle"); }
        var spec = Oci.OciJson.Parse(bytes, RuntimeSpecJson.Default.RuntimeSpec, path);
        CheckVersion(spec.OciVersion, path);
        return spec;
    }

    /// <summary>Writes config.json; <paramref name="fresh"/> says the bundle is new and nothing can read a
    /// half-written file, so it is written in place rather than through a renamed temp file.</summary>
    public static void Write(string bundleDir, RuntimeSpec spec, bool fresh = false)
    {
        var path = Path.Combine(bundleDir, Name);
        if (fresh) Interop.Fds.WriteFileInPlace(path, RuntimeSpecWriter.Serialize(spec));
        else Util.AtomicFile.WriteAllBytes(path, RuntimeSpecWriter.Serialize(spec));
    }

    public static void CheckVersion(string version, string where)
    {
        var parts = version.Split('-')[0].Split('.');
        if (parts.Length >= 2 && parts[0] == "1" && int.TryParse(parts[1], out int minor) && minor is >= 0 and <= 2) return;
        throw new BerthException($"{where}: OCI runtime spec version \"{version}\" is not supported (1.0 to 1.2 are)");
    }
}
