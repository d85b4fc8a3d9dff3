using Berth.Engine.Compose;
using Berth.Engine.Containers;
using Berth.Engine.Networking;

namespace Berth.Engine.Deploy;

/// <summary>
/// Deploy's networks on berth's bridge networks, as docker compose makes them: one network per project
/// network key, labelled with the project, replicas joined under their service name so other services
/// resolve it through the embedded DNS server.
/// </summary>
public sealed class BridgeProjectNetwork(NetworkService networks) : IProjectNetwork
{
    public void Ensure(ComposeNetwork network, string project)
    {
        if (networks.Store.Find(network.Name) is not null) return;
        if (network.External)
            throw new BerthException($"network {network.Name} declared as external, but could not be found: create it with `berth network create {network.Name}`");
        if (network.Driver != "bridge")
            throw new BerthException($"network {network.Name}: driver \"{network.Driver}\" is not supported (berth has bridge networks)");
        var labels = new Dictionary<string, string>(network.Labels) { [ComposeLabels.Project] = project };
        networks.Create(new NetworkCreateOptions { Name = network.Name, Subnet = network.Subnet, Internal = network.Internal, Labels = labels });
    }

    public bool Remove(string name)
    {
        if (networks.Store.Find(name) is not { } n) return false;
        networks.Remove(n);
        return true;
    }

    public IReadOnlyList<string> ProjectNetworks(string project) =>
        networks.Store.List().Where(n => n.Labels.GetValueOrDefault(ComposeLabels.Project) == project).Select(n => n.Name).ToList();

    public CreateOptions Join(CreateOptions options, IReadOnlyList<NetworkJoin> networks) =>
        options with { NetworkMode = networks[0].Network, NetworkAliases = [.. networks[0].Aliases], MoreNetworks = [.. networks.Skip(1)] };

    public string? Address(Container container, string network) =>
        networks.Store.Find(network) is { } n
            ? networks.Store.Endpoints(container.Id).FirstOrDefault(e => e.NetworkId == n.Id && e.Ip.Length > 0)?.Ip
            : null;
}
