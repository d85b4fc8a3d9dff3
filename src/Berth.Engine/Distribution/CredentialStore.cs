using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Engine.Util;

namespace Berth.Engine.Distribution;

/// <summary>A user name and password (or token) for one registry.</summary>
public sealed record Credential(string Username, string Password)
{
    public string BasicValue => Convert.ToBase64String(Encoding.UTF8.GetBytes(Username + ":" + Password));
}

/// <summary>
/// Logins kept as docker keeps them: <c>$DOCKER_CONFIG/config.json</c> or <c>~/.docker/config.json</c>,
/// <c>{"auths": {"host:port": {"auth": base64("user:password")}}}</c>. Every other key in the file is
/// kept as it was, so docker and berth read and write the same file. Writes are atomic, mode 0600.
/// </summary>
public sealed class CredentialStore(string path)
{
    public string Path { get; } = path;

    public static CredentialStore Default()
    {
        var dir = Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } d
            ? d
            : System.IO.Path.Combine(Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : "/root", ".docker");
        return new CredentialStore(System.IO.Path.Combine(dir, "config.json"));
    }

    /// <summary>The stored login for a registry (<c>docker.io</c>, <c>host:5000</c>), or null.</summary>
    public Credential? Get(string domain)
    {
        var auths = Load()["auths"] as JsonObject;
        if (auths is null) return null;
        var want = RegistryHosts.AuthKey(domain);
        foreach (var (key, value) in auths)
        {
            if (!Matches(key, want, domain) || value is not JsonObject entry) continue;
            if (entry["auth"]?.GetValue<string>() is { Length: > 0 } auth)
            {
                string decoded;
                try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth)); }
                catch (FormatException) { throw new BerthException($"{Path}: the \"auth\" of {key} is not base64: log in again with `berth login {domain}`"); }
                int colon = decoded.IndexOf(':');
                if (colon < 0) throw new BerthException($"{Path}: the \"auth\" of {key} is not user:password: log in again with `berth login {domain}`");
                return new Credential(decoded[..colon], decoded[(colon + 1)..]);
            }
            if (entry["username"]?.GetValue<string>() is { } u && entry["password"]?.GetValue<string>() is { } p)
                return new Credential(u, p);
        }
        return null;
    }

    public void Set(string domain, Credential credential)
    {
        var root = Load();
        if (root["auths"] is not JsonObject auths) root["auths"] = auths = new JsonObject();
        var key = RegistryHosts.AuthKey(domain);
        foreach (var k in auths.Select(kv => kv.Key).Where(k => k != key && Matches(k, key, domain)).ToList()) auths.Remove(k);
        auths[key] = new JsonObject { ["auth"] = credential.BasicValue };
        Save(root);
    }

    /// <summary>Removes the login; returns false when there was none.</summary>
    public bool Remove(string domain)
    {
        var root = Load();
        if (root["auths"] is not JsonObject auths) return false;
        var key = RegistryHosts.AuthKey(domain);
        var keys = auths.Select(kv => kv.Key).Where(k => Matches(k, key, domain)).ToList();
        if (keys.Count == 0) return false;
        foreach (var k in keys) auths.Remove(k);
        Save(root);
        return true;
    }

    /// <summary>docker matches keys written as URLs too: <c>https://host:5000/v2/</c> is <c>host:5000</c>.</summary>
    private static bool Matches(string key, string want, string domain)
    {
        if (key == want) return true;
        var k = key;
        if (k.StartsWith("https://", StringComparison.Ordinal)) k = k[8..];
        else if (k.StartsWith("http://", StringComparison.Ordinal)) k = k[7..];
        int slash = k.IndexOf('/');
        if (slash >= 0) k = k[..slash];
        return k == domain || (domain == Oci.ImageReference.DefaultDomain && k is "index.docker.io" or "registry-1.docker.io" or "docker.io");
    }

    private JsonObject Load()
    {
        if (!File.Exists(Path)) return new JsonObject();
        try
        {
            var text = File.ReadAllBytes(Path);
            if (text.Length == 0) return new JsonObject();
            return JsonNode.Parse(text) as JsonObject ?? throw new BerthException($"{Path}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new BerthException($"{Path}: malformed JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            throw new BerthException($"{Path}: unexpected JSON: {e.Message}");
        }
    }

    private void Save(JsonObject root)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        if (!Directory.Exists(dir))
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var bytes = Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var tmp = AtomicFile.TempPathFor(Path);
        try
        {
            using (var f = new FileStream(tmp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
                f.Write(bytes);
            File.Move(tmp, Path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }
}
