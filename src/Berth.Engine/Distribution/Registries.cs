namespace Berth.Engine.Distribution;

/// <summary>
/// The registries one command talks to: where they are (<see cref="RegistryHosts"/>), the stored
/// logins (<see cref="CredentialStore"/>), and one <see cref="RegistryClient"/> per host, so tokens
/// and connections are shared by every pull or push of the command.
/// </summary>
public sealed class Registries(RegistryHosts hosts, CredentialStore credentials) : IDisposable
{
    private readonly Dictionary<string, RegistryClient> _clients = new(StringComparer.Ordinal);

    public RegistryHosts Hosts => hosts;
    public CredentialStore Credentials => credentials;

    /// <summary>Hosts from <paramref name="insecure"/> and the daemon config; logins from docker's config.json.</summary>
    public static Registries Default(IEnumerable<string>? insecure = null) =>
        new(RegistryHosts.Load(insecure), CredentialStore.Default());

    public RegistryClient Client(string domain)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(domain, out var c))
                _clients[domain] = c = new RegistryClient(domain, hosts, credentials.Get(domain));
            return c;
        }
    }

    public void Dispose()
    {
        foreach (var c in _clients.Values) c.Dispose();
    }
}
