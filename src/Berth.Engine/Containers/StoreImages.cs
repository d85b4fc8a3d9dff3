using System.Text.Json;
using Berth.Engine.Images;
using Berth.Engine.Oci;

namespace Berth.Engine.Containers;

/// <summary>Containers' images from the image store: resolved as docker does, layers unpacked if a snapshot is missing.</summary>
public sealed class StoreImages(StateRoot root) : IContainerImages
{
    public ContainerImage Resolve(string reference)
    {
        var image = root.Images.Resolve(reference);
        var config = ReadRunConfig(root.Images.ReadConfigBytes(image));
        var top = image.TopChainId?.ToString();
        if (top is not null && root.Snapshots.Stat(top) is null)
            new LayerUnpacker(root.Snapshots, root.ImageContent).Unpack(image.Layers.Select(l => (l.Blob, l.DiffId)).ToList());
        return new ContainerImage(image.Id.ToString(), config, top);
    }

    /// <summary>The fields of an image config a container runs with, read with JsonDocument: the generated
    /// serializer's first use costs milliseconds under NativeAOT, and <c>run</c> has few to spare.</summary>
    public static ImageConfig ReadRunConfig(byte[] json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("config", out var c) || c.ValueKind != JsonValueKind.Object) return new ImageConfig();
            return new ImageConfig
            {
                Config = new ContainerConfig
                {
                    User = Str(c, "User"),
                    Env = Strings(c, "Env"),
                    Entrypoint = Strings(c, "Entrypoint"),
                    Cmd = Strings(c, "Cmd"),
                    WorkingDir = Str(c, "WorkingDir"),
                    StopSignal = Str(c, "StopSignal"),
                    Labels = c.TryGetProperty("Labels", out var l) && l.ValueKind == JsonValueKind.Object
                        ? l.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "") : null,
                    Volumes = Set(c, "Volumes"),
                    ExposedPorts = Set(c, "ExposedPorts"),
                },
            };
        }
        catch (JsonException e)
        {
            throw new BerthException($"image config: malformed JSON: {e.Message}");
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static List<string>? Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : null;

    private static Dictionary<string, EmptyObject>? Set(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v.EnumerateObject().ToDictionary(p => p.Name, _ => EmptyObject.Instance) : null;
}

/// <summary>Which containers use an image, for <c>rmi</c> and image pruning.</summary>
public sealed class ContainerImageUsers(ContainerService service) : IImageUsers
{
    public IReadOnlyList<ImageUser> UsersOf(Digest imageId) =>
        service.List().Where(c => c.Spec.ImageId == imageId.ToString()).Select(c => new ImageUser(c.Id, c.Running)).ToList();
}
