using Berth.Engine.Compose;
using Berth.Engine.Containers;

namespace Berth.Engine.Deploy;

/// <summary>
/// What deploy needs from networking: a project's networks made and removed, replicas joined to a
/// network under their service's name (the DNS alias other services reach them by), and a replica's
/// address there, which the load balancer forwards to.
/// </summary>
public interface IProjectNetwork
{
    /// <summary>Creates the network unless it exists (an external one must exist).</summary>
    void Ensure(ComposeNetwork network, string project);

    /// <summary>Removes the project's network if nothing else uses it; false if it did not exist.</summary>
    bool Remove(string name);

    /// <summary>Networks labelled with the project (what <c>down</c> removes even when the file changed).</summary>
    IReadOnlyList<string> ProjectNetworks(string project);

    /// <summary>The options that put a container on each of <paramref name="networks"/> (the first is its primary) under their aliases.</summary>
    CreateOptions Join(CreateOptions options, IReadOnlyList<NetworkJoin> networks);

    /// <summary>The running container's IPv4 address on <paramref name="network"/>; null if it has none.</summary>
    string? Address(Container container, string network);
}
