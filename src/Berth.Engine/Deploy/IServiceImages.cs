using Berth.Engine.Compose;

namespace Berth.Engine.Deploy;

/// <summary>Where a service's image comes from: built from its build section, found locally, or pulled. The CLI implements it over the builder and the puller.</summary>
public interface IServiceImages
{
    /// <summary>The image a compose service runs (built when <paramref name="build"/> or when it is missing); its reference and image ID.</summary>
    (string Reference, string Id) ForService(ComposeProject project, ComposeService service, bool build);

    /// <summary>An image named on the command line (local, else pulled); throws one clear line when it does not exist.</summary>
    (string Reference, string Id) ForReference(string reference);

    /// <summary>The image with this ID if it is still local, else null.</summary>
    string? LocalId(string imageId);
}
