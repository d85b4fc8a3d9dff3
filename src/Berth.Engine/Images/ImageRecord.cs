using Berth.Engine.Oci;

namespace Berth.Engine.Images;

/// <summary>A layer of a stored image: its blob, its uncompressed diff ID, and the snapshot (chain ID) it unpacks to.</summary>
public sealed record LayerRecord(int Index, Digest DiffId, Digest ChainId, Descriptor Blob, long? DiffSize = null);

/// <summary>An image in the store. Its ID is its config digest, as in docker.</summary>
public sealed record ImageRecord
{
    public required Digest Id { get; init; }
    public required Descriptor Manifest { get; init; }
    public required long ConfigSize { get; init; }
    public DateTimeOffset? Created { get; init; }
    public required DateTimeOffset Added { get; init; }
    public required string Os { get; init; }
    public required string Architecture { get; init; }
    public bool Intermediate { get; init; }
    public required IReadOnlyList<LayerRecord> Layers { get; init; }
    public IReadOnlyList<ImageReference> Tags { get; init; } = [];
    public IReadOnlyList<ImageReference> RepoDigests { get; init; } = [];

    /// <summary>The snapshot a container of this image starts from (null for an image with no layers).</summary>
    public Digest? TopChainId => Layers.Count == 0 ? null : Layers[^1].ChainId;
}

/// <summary>Chain IDs as the OCI image spec defines them: each layer's snapshot names its whole stack.</summary>
public static class ChainId
{
    public static IReadOnlyList<Digest> Compute(IReadOnlyList<Digest> diffIds)
    {
        var chain = new List<Digest>(diffIds.Count);
        foreach (var d in diffIds) chain.Add(Next(chain.Count == 0 ? null : chain[^1], d));
        return chain;
    }

    /// <summary>The chain ID of a layer with diff ID <paramref name="diffId"/> on top of <paramref name="parent"/>.</summary>
    public static Digest Next(Digest? parent, Digest diffId) =>
        parent is { } p ? Digest.Compute(System.Text.Encoding.ASCII.GetBytes($"{p} {diffId}")) : diffId;
}
