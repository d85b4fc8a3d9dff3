using System.Net;
using System.Text;
using Berth.Engine.Oci;
using Berth.Registry.Storage;
using Berth.Registry.Tests.Infrastructure;

namespace Berth.Registry.Tests.Storage;

/// <summary>Mark and sweep: what is referenced stays, what is not goes, and work in progress is safe.</summary>
public sealed class GarbageCollectorTests
{
    private static GcReport Collect(TestRegistry reg, bool deleteUntagged = false, bool dryRun = false, TimeSpan? grace = null) =>
        new GarbageCollector(new RegistryStorage(reg.Root)).Run(new GcOptions
        {
            Grace = grace ?? TimeSpan.Zero, DeleteUntagged = deleteUntagged, DryRun = dryRun,
        });

    private static int BlobCount(TestRegistry reg) =>
        Directory.EnumerateFiles(Path.Combine(reg.Root, "blobs"), "*", SearchOption.AllDirectories).Count();

    [Fact]
    public async Task Keeps_what_manifests_reference_and_removes_unreferenced_blobs()
    {
        await using var reg = await TestRegistry.StartAsync();
        var img = await reg.PushImageAsync("r", "v1", layers: 2);
        var orphan = await reg.PushBlobAsync("r", TestRegistry.RandomBytes(5000));
        Assert.Equal(5, BlobCount(reg)); // manifest, config, 2 layers, orphan
        await Task.Delay(20);

        var dry = Collect(reg, dryRun: true);
        Assert.Equal(1, dry.BlobsDeleted);
        Assert.Equal(5, BlobCount(reg));

        var report = Collect(reg);
        Assert.Equal(1, report.BlobsDeleted);
        Assert.Equal(5000, report.BytesFreed);
        Assert.Equal(4, BlobCount(reg));
        using var gone = await reg.Client.GetAsync($"/v2/r/blobs/{orphan}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        foreach (var d in img.Layers.Append(img.ConfigDigest))
            Assert.Equal(HttpStatusCode.OK, (await reg.Client.GetAsync($"/v2/r/blobs/{d}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reg.Client.GetAsync("/v2/r/manifests/v1")).StatusCode);
    }

    [Fact]
    public async Task Grace_period_protects_blobs_pushed_since_the_mark_began()
    {
        await using var reg = await TestRegistry.StartAsync();
        await reg.PushBlobAsync("r", TestRegistry.RandomBytes(100));
        var report = Collect(reg, grace: TimeSpan.FromMinutes(10));
        Assert.Equal(0, report.BlobsDeleted);
        Assert.Equal(1, BlobCount(reg));
    }

    [Fact]
    public async Task Upload_in_progress_survives_a_collection_and_completes()
    {
        await using var reg = await TestRegistry.StartAsync();
        var data = TestRegistry.RandomBytes(20_000);
        using var start = await reg.Client.PostAsync("/v2/r/blobs/uploads/", null);
        var location = await Spec.BlobUploadTests.PatchAsync(reg, start.Headers.Location!.OriginalString, data, 0, 10_000, HttpStatusCode.Accepted, "0-9999");
        await reg.PushImageAsync("r", "v1");
        await Task.Delay(20);

        Collect(reg, deleteUntagged: true);

        location = await Spec.BlobUploadTests.PatchAsync(reg, location, data, 10_000, 10_000, HttpStatusCode.Accepted, "0-19999");
        using var put = await reg.Client.PutAsync($"{location}?digest={TestRegistry.DigestOf(data)}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(data, await reg.Client.GetByteArrayAsync($"/v2/r/blobs/{TestRegistry.DigestOf(data)}"));
    }

    [Fact]
    public async Task Delete_untagged_removes_untagged_manifests_but_keeps_index_children_and_referrers()
    {
        await using var reg = await TestRegistry.StartAsync();
        var child = await reg.PushImageAsync("r", "child-tag");
        var index = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.OciIndex}}}","manifests":[{"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"{{{child.Digest}}}","size":{{{child.Manifest.Length}}}}]}""");
        using (var put = await reg.PutManifestAsync("r", "multi", index, MediaTypes.OciIndex)) Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using (var untag = await reg.Client.DeleteAsync("/v2/r/manifests/child-tag")) Assert.Equal(HttpStatusCode.Accepted, untag.StatusCode);
        var signature = await reg.PushImageAsync("r", "sig", layers: 1, subject: TestRegistry.DigestOf(index));
        using (var untag = await reg.Client.DeleteAsync("/v2/r/manifests/sig")) Assert.Equal(HttpStatusCode.Accepted, untag.StatusCode);
        var old = await reg.PushImageAsync("r", "old", layers: 1);
        using (var untag = await reg.Client.DeleteAsync("/v2/r/manifests/old")) Assert.Equal(HttpStatusCode.Accepted, untag.StatusCode);
        await Task.Delay(20);

        var report = Collect(reg, deleteUntagged: true);

        Assert.Equal(1, report.ManifestsDeleted);
        Assert.Equal(3, report.BlobsDeleted); // old manifest, its config and its layer
        Assert.Equal(HttpStatusCode.OK, (await reg.Client.GetAsync($"/v2/r/manifests/{child.Digest}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reg.Client.GetAsync($"/v2/r/manifests/{signature.Digest}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reg.Client.GetAsync($"/v2/r/manifests/{old.Digest}")).StatusCode);
        foreach (var layer in child.Layers.Concat(signature.Layers))
            Assert.Equal(HttpStatusCode.OK, (await reg.Client.GetAsync($"/v2/r/blobs/{layer}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reg.Client.GetAsync($"/v2/r/blobs/{old.Layers[0]}")).StatusCode);
    }

    [Fact]
    public async Task Blob_shared_by_two_repositories_stays_while_either_references_it()
    {
        await using var reg = await TestRegistry.StartAsync();
        var a = await reg.PushImageAsync("a", "v1", layers: 1);
        using (var mount = await reg.Client.PostAsync($"/v2/b/blobs/uploads/?mount={a.Layers[0]}&from=a", null))
            Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        using (var mount = await reg.Client.PostAsync($"/v2/b/blobs/uploads/?mount={a.ConfigDigest}&from=a", null))
            Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        using (var put = await reg.PutManifestAsync("b", "v1", a.Manifest, MediaTypes.OciManifest)) Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using (var del = await reg.Client.DeleteAsync($"/v2/a/manifests/{a.Digest}")) Assert.Equal(HttpStatusCode.Accepted, del.StatusCode);
        await Task.Delay(20);
        var report = Collect(reg);
        Assert.Equal(0, report.BlobsDeleted);
        Assert.Equal(HttpStatusCode.OK, (await reg.Client.GetAsync($"/v2/b/blobs/{a.Layers[0]}")).StatusCode);
    }

    [Fact]
    public async Task Stale_uploads_are_purged()
    {
        await using var reg = await TestRegistry.StartAsync();
        using var start = await reg.Client.PostAsync("/v2/r/blobs/uploads/", null);
        var storage = new RegistryStorage(reg.Root);
        Assert.Equal(0, storage.Uploads.Purge(TimeSpan.FromHours(1)));
        await Task.Delay(50);
        Assert.Equal(1, storage.Uploads.Purge(TimeSpan.FromMilliseconds(10)));
        using var status = await reg.Client.GetAsync(start.Headers.Location);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
    }
}
