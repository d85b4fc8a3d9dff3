namespace Berth.Engine.Containers;

/// <summary>
/// Where networking plugs in: at create (check the network options, record the endpoints, inside create's
/// transaction), once a container's PID is known (its network namespace exists, nothing runs in it yet)
/// and again when it has exited. The default does nothing, which is what --network none and host need.
/// </summary>
public interface IContainerNetwork
{
    void Register(Container container, CreateOptions options);

    void Attach(Container container, int pid);

    void Detach(Container container);
}

public sealed class NoNetwork : IContainerNetwork
{
    public static NoNetwork Instance { get; } = new();

    public void Register(Container container, CreateOptions options) { }

    public void Attach(Container container, int pid) { }

    public void Detach(Container container) { }
}
