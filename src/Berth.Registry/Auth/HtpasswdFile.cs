using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Berth.Engine;

namespace Berth.Registry.Auth;

/// <summary>
/// Users from an Apache htpasswd file with bcrypt hashes (<c>htpasswd -B</c>), as distribution reads
/// it. Successful checks are remembered (by a SHA-256 of user and password) for a few minutes, since
/// clients send their credentials with every request and bcrypt is slow on purpose.
/// </summary>
public sealed class HtpasswdFile
{
    private static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(5);
    private readonly Dictionary<string, string> _hashes;
    private readonly ConcurrentDictionary<string, DateTime> _verified = new(StringComparer.Ordinal);

    public HtpasswdFile(IEnumerable<string> lines, string source)
    {
        _hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        int n = 0;
        foreach (var raw in lines)
        {
            n++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int colon = line.IndexOf(':');
            if (colon <= 0) throw new BerthException($"{source}:{n}: expected user:hash");
            var hash = line[(colon + 1)..];
            if (!hash.StartsWith("$2", StringComparison.Ordinal))
                throw new BerthException($"{source}:{n}: only bcrypt hashes are supported: create the file with htpasswd -B");
            _hashes[line[..colon]] = hash;
        }
    }

    public static HtpasswdFile Load(string path)
    {
        try { return new HtpasswdFile(File.ReadAllLines(path), path); }
        catch (IOException e) { throw new BerthException($"cannot read htpasswd file {path}: {e.Message}"); }
    }

    public int Count => _hashes.Count;

    public bool Verify(string user, string password)
    {
        if (!_hashes.TryGetValue(user, out var hash)) return false;
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(user + "\0" + password + "\0" + hash)));
        if (_verified.TryGetValue(key, out var at) && DateTime.UtcNow - at < RememberFor) return true;
        bool ok;
        try { ok = BCrypt.Net.BCrypt.Verify(password, hash); }
        catch (BCrypt.Net.SaltParseException) { ok = false; }
        if (ok)
        {
            if (_verified.Count > 10_000) _verified.Clear();
            _verified[key] = DateTime.UtcNow;
        }
        return ok;
    }

    /// <summary>The user of a valid <c>Authorization: Basic</c> header, or null.</summary>
    public string? Authenticate(string? authorizationHeader)
    {
        if (BasicCredentials(authorizationHeader) is not var (user, password)) return null;
        return Verify(user, password) ? user : null;
    }

    public static (string User, string Password)? BasicCredentials(string? header)
    {
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return null; }
        int colon = decoded.IndexOf(':');
        return colon < 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
    }
}

/// <summary>HTTP basic authentication against an htpasswd file; any valid user may do anything.</summary>
public sealed class BasicAccessController(HtpasswdFile users, string realm) : IAccessController
{
    public AccessResult Authorize(string? authorizationHeader, IReadOnlyList<Access> needed, string origin)
    {
        var user = users.Authenticate(authorizationHeader);
        if (user is not null) return AccessResult.Allow(user);
        return new AccessResult(false, null, RegistryError.Unauthorized, $"Basic realm=\"{realm}\"",
            authorizationHeader is null ? "authentication required" : "invalid username or password");
    }
}
