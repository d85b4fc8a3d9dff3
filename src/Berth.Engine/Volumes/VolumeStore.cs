using System.Text.Json;
using Berth.Engine.Containers;
using Berth.Engine.Metadata;
using Microsoft.Data.Sqlite;

namespace Berth.Engine.Volumes;

/// <summary>Named and anonymous volumes: a row in the metadata database and a directory under <c>volumes/</c>.</summary>
public sealed class VolumeStore(MetadataDb db, string volumesDir)
{
    public string MountpointOf(string name) => Path.Combine(volumesDir, name, "_data");

    public static void ValidateName(string name)
    {
        bool ok = name.Length >= 2 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
        if (!ok) throw new BerthException($"\"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
    }

    /// <summary>Creates the volume, or returns the existing one of that name (docker's create is idempotent).</summary>
    public Volume Create(string? name, IReadOnlyDictionary<string, string>? labels = null, string driver = "local")
    {
        if (driver != "local") throw new BerthException($"volume driver \"{driver}\" is not supported (only local)");
        bool anonymous = name is null;
        name ??= NameGenerator.NewId();
        ValidateName(name);
        if (Get(name) is { } existing) return existing;
        Directory.CreateDirectory(MountpointOf(name));
        var created = DateTimeOffset.UtcNow;
        var labelJson = JsonSerializer.Serialize(new Dictionary<string, string>(labels ?? new Dictionary<string, string>()), ContainerJson.Default.DictionaryStringString);
        try
        {
            db.Execute("INSERT INTO volumes(name, driver, created, labels, anonymous) VALUES($n, $d, $c, $l, $a)",
                ("$n", name), ("$d", driver), ("$c", ContainerStore.Time(created)), ("$l", labelJson), ("$a", anonymous ? 1 : 0));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            return Get(name)!; // another process made it first
        }
        return Get(name)!;
    }

    public Volume? Get(string name) =>
        db.Query("SELECT name, driver, created, labels, anonymous FROM volumes WHERE name=$n", Map, ("$n", name)).FirstOrDefault();

    public IReadOnlyList<Volume> List() => db.Query("SELECT name, driver, created, labels, anonymous FROM volumes ORDER BY name", Map);

    /// <summary>Container IDs whose mounts name this volume.</summary>
    public IReadOnlyList<string> Users(string name, IEnumerable<Container> containers) =>
        containers.Where(c => c.Spec.Mounts.Any(m => m.Type == "volume" && m.Source == name)).Select(c => c.Id).ToList();

    public void Remove(string name, IEnumerable<Container> containers, bool force = false)
    {
        if (Get(name) is null)
        {
            if (force) return;
            throw new NotFoundException($"get {name}: no such volume");
        }
        var users = Users(name, containers);
        if (users.Count > 0)
            throw new BerthException($"remove {name}: volume is in use - [{string.Join(", ", users)}]", BerthException.EngineError);
        db.Execute("DELETE FROM volumes WHERE name=$n", ("$n", name));
        var dir = Path.Combine(volumesDir, name);
        if (Directory.Exists(dir))
        {
            var trash = Path.Combine(volumesDir, $".trash-{name}-{Guid.NewGuid():N}");
            Directory.Move(dir, trash);
            Directory.Delete(trash, recursive: true);
        }
    }

    private Volume Map(SqlReader r) => new(
        r.GetString(0), r.GetString(1), ContainerStore.ParseTime(r.GetString(2)),
        JsonSerializer.Deserialize(r.GetString(3), ContainerJson.Default.DictionaryStringString) ?? [], r.GetInt32(4) != 0, MountpointOf(r.GetString(0)));
}
