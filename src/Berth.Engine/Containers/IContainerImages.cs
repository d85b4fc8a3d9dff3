using Berth.Engine.Oci;

namespace Berth.Engine.Containers;

/// <summary>An image as a container needs it: its ID, its config, and the committed snapshot of its top layer.</summary>
public sealed record ContainerImage(string Id, ImageConfig Config, string? TopSnapshot);

/// <summary>Where containers get images from (the image store; tests may give a fixed rootfs).</summary>
public interface IContainerImages
{
    /// <summary>Finds the image and makes sure its layers are unpacked; throws NotFoundException ("No such image: x").</summary>
    ContainerImage Resolve(string reference);
}
