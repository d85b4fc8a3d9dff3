namespace Berth.Engine.Containers;

/// <summary>The layout of one container's directory, <c>containers/&lt;id&gt;/</c>: an OCI bundle plus its logs.</summary>
public sealed class ContainerPaths(string containersDir, string id)
{
    public string Dir { get; } = Path.Combine(containersDir, id);
    public string Bundle => Dir;
    public string Rootfs => Path.Combine(Dir, "rootfs");
    public string Log => Path.Combine(Dir, id + "-json.log");
    public string Hosts => Path.Combine(Dir, "hosts");
    public string Hostname => Path.Combine(Dir, "hostname");
    public string ResolvConf => Path.Combine(Dir, "resolv.conf");
    /// <summary>The monitor's attach socket, named relative to <see cref="Dir"/> (socket paths are short).</summary>
    public const string AttachSocket = "attach.sock";
    /// <summary>The external runtimes' state directory.</summary>
    public string RuntimeState => Path.Combine(Dir, "runtime");
}
