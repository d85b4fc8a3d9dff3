namespace Berth.Engine.Containers;

/// <summary>
/// Where networking plugs in: called once a container's PID is known (its network namespace exists,
/// nothing runs in it yet) and again when it has exited. The default does nothing, which is what
/// --network none and host need (bridge behaves as none until networking lands).
/// </summary>
public interface IContainerNetwork
{
    void Attach(Container container, int pid);

    void Detach(Container container);
}

public sealed class NoNetwork : IContainerNetwork
{
    public static NoNetwork Instance { get; } = new();

    public void Attach(Container container, int pid) { }

    public void Detach(Container container) { }
}
