using Berth.Engine.Oci;

namespace Berth.Engine.Images;

/// <summary>A container that still needs an image.</summary>
public sealed record ImageUser(string ContainerId, bool Running);

/// <summary>Who uses an image: answered by the containers domain, asked before an image is removed.</summary>
public interface IImageUsers
{
    IReadOnlyList<ImageUser> UsersOf(Digest imageId);
}
