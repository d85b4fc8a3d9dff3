using System.Collections.Concurrent;
using System.Text.Json;
using Berth.Engine.Build.Planning;
using Berth.Engine.Images;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution;

/// <summary>
/// Base images from the local image store, for the planner (ENV and ONBUILD) and then the
/// executor (the same record and config bytes, read once). A missing image is an error naming
/// the reference; there is no pull here yet.
/// </summary>
public sealed class StoreBaseImages(ImageStore images, object storeLock) : IBaseImageResolver
{
    private readonly ConcurrentDictionary<string, (ImageRecord Image, byte[] Config)> _found = new(StringComparer.Ordinal);

    public Task<BaseImageInfo> ResolveAsync(ImageReference reference, Platform platform, CancellationToken cancellationToken)
    {
        try
        {
            var (_, config) = Get(reference);
            return Task.FromResult(ReadInfo(config, reference));
        }
        catch (BerthException e)
        {
            return Task.FromException<BaseImageInfo>(e);
        }
    }

    /// <summary>The image and its config bytes (throws <see cref="NotFoundException"/> when the store has no such image).</summary>
    public (ImageRecord Image, byte[] Config) Get(ImageReference reference) => _found.GetOrAdd(reference.ToString(), _ =>
    {
        lock (storeLock)
        {
            var image = images.Find(reference.ToString())
                ?? throw new NotFoundException($"base image {reference.Familiar} not found: import, load or pull it first");
            return (image, images.ReadConfigBytes(image));
        }
    });

    /// <summary>Env and OnBuild read with JsonDocument: cheaper at start-up than the generated serializer.</summary>
    private static BaseImageInfo ReadInfo(byte[] json, ImageReference reference)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("config", out var c) || c.ValueKind != JsonValueKind.Object) return BaseImageInfo.Empty;
            return new BaseImageInfo(Strings(c, "Env"), Strings(c, "OnBuild"));
        }
        catch (JsonException e)
        {
            throw new BerthException($"image config of {reference.Familiar}: malformed JSON: {e.Message}");
        }
    }

    private static List<string> Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? [.. v.EnumerateArray().Select(x => x.GetString() ?? "")] : [];
}
