using Berth.Engine.Oci;
using Berth.Registry.Storage;

namespace Berth.Registry.Http;

/// <summary>Tag lists, the catalog and the referrers API: the lists a client pages through.</summary>
internal static class ListingHandlers
{
    public static Task TagsAsync(RequestContext r)
    {
        if (!r.Repo.Exists)
            throw new RegistryException(RegistryError.NameUnknown, $"repository {r.Route.Name} is unknown");
        var page = Page(r, r.Repo.Manifests.Tags(), $"/v2/{r.Route.Name}/tags/list");
        return Responses.Json(r.Http, 200, new TagList(r.Route.Name, page), RegistryJson.Default.TagList);
    }

    public static Task CatalogAsync(RequestContext r)
    {
        var page = Page(r, r.App.Storage.Catalog(), "/v2/_catalog");
        return Responses.Json(r.Http, 200, new Catalog(page), RegistryJson.Default.Catalog);
    }

    public static Task ReferrersAsync(RequestContext r)
    {
        var subject = Names.CheckDigest(r.Route.Reference);
        var artifactType = r.Query("artifactType");
        var list = r.Repo.Exists ? r.Repo.Manifests.Referrers(subject, artifactType) : [];
        if (artifactType is not null) r.Response.Headers["OCI-Filters-Applied"] = "artifactType";
        var index = new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = list };
        return Responses.Json(r.Http, 200, index, RegistryJson.Default.ImageIndex, MediaTypes.OciIndex);
    }

    /// <summary>The <c>n</c>/<c>last</c> page of a sorted list, with a Link header when more follow.</summary>
    private static List<string> Page(RequestContext r, List<string> all, string path)
    {
        var last = r.Query("last");
        var nText = r.Query("n");
        int? n = null;
        if (nText is not null)
        {
            if (!int.TryParse(nText, out var parsed) || parsed < 0)
                throw new RegistryException(RegistryError.SizeInvalid, $"invalid page size n={Names.Truncate(nText)}: use a number >= 0");
            n = parsed;
        }
        int from = 0;
        if (last is not null)
        {
            int i = all.BinarySearch(last, StringComparer.Ordinal);
            from = i >= 0 ? i + 1 : ~i;
        }
        int count = Math.Min(all.Count - from, n ?? int.MaxValue);
        var page = all.GetRange(from, Math.Max(0, count));
        if (n is > 0 && from + count < all.Count)
            Responses.NextLink(r.Http, path, page[^1], n.Value);
        return page;
    }
}
