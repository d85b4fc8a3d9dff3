using Berth.Engine.Oci;

namespace Berth.Engine.Images;

/// <summary>One line of rmi's report: <c>Untagged: busybox:latest</c> or <c>Deleted: sha256:...</c>.</summary>
public sealed record RemoveEvent(string Kind, string What)
{
    public override string ToString() => $"{Kind}: {What}";
}

/// <summary>
/// docker's rules for <c>rmi</c>: a name removes that reference, and the image with its last one;
/// an ID removes the image with all its references, but only when one repository names it (or with
/// force); an image that a container uses is kept unless forced, and never while one runs.
/// </summary>
public sealed class ImageRemover(ImageStore store, IImageUsers users)
{
    public IReadOnlyList<RemoveEvent> Remove(string nameOrId, bool force)
    {
        var image = store.Resolve(nameOrId);
        var events = new List<RemoveEvent>();
        bool byReference = IsReferenceTo(nameOrId, image, out var reference);

        if (byReference && reference is not null)
        {
            int references = image.Tags.Count + image.RepoDigests.Count;
            bool last = references <= 1 || (reference.Digest is null && image.Tags.Count == 1 &&
                image.RepoDigests.All(d => d.Repository == reference.Repository));
            if (!last)
            {
                store.Untag(reference);
                events.Add(new RemoveEvent("Untagged", reference.Familiar));
                return events;
            }
            if (!force && users.UsersOf(image.Id) is [var user, ..])
                throw new BerthException($"conflict: unable to remove repository reference \"{nameOrId}\" (must force) - container {user.ContainerId[..12]} is using its referenced image {image.Id.Short}");
        }
        else
        {
            var repositories = image.Tags.Concat(image.RepoDigests).Select(r => r.Repository).Distinct().Count();
            if (repositories > 1 && !force)
                throw new BerthException($"conflict: unable to delete {image.Id.Short} (must be forced) - image is referenced in multiple repositories");
        }

        var using_ = users.UsersOf(image.Id);
        if (using_.FirstOrDefault(u => u.Running) is { } running)
            throw new BerthException($"conflict: unable to delete {image.Id.Short} (cannot be forced) - image is being used by running container {running.ContainerId[..12]}");
        if (using_.Count > 0 && !force)
            throw new BerthException($"conflict: unable to delete {image.Id.Short} (must be forced) - image is being used by stopped container {using_[0].ContainerId[..12]}");

        foreach (var t in image.Tags) events.Add(new RemoveEvent("Untagged", t.Familiar));
        foreach (var d in image.RepoDigests) events.Add(new RemoveEvent("Untagged", d.Familiar));
        store.Delete(image.Id);
        events.Add(new RemoveEvent("Deleted", image.Id.ToString()));
        return events;
    }

    private static bool IsReferenceTo(string text, ImageRecord image, out ImageReference? reference)
    {
        reference = null;
        if (!ImageReference.TryParse(text, out var r)) return false;
        var match = image.Tags.Concat(image.RepoDigests).FirstOrDefault(x => x.ToString() == r.ToString()
            || (r.Digest is not null && x.Digest == r.Digest && x.Repository == r.Repository));
        reference = match;
        return match is not null;
    }
}
