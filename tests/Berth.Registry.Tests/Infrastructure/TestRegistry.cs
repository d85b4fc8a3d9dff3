using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.Engine.Oci;
using Berth.Registry.Http;

namespace Berth.Registry.Tests.Infrastructure;

/// <summary>
/// A registry started in-process on a free loopback port with its own temp root, and an HTTP client
/// for it. Disposal stops the server and removes the root (unless <see cref="KeepRoot"/>).
/// </summary>
public sealed class TestRegistry : IAsyncDisposable
{
    private TestRegistry(RegistryServer server, string root, RegistryOptions options)
    {
        Server = server;
        Root = root;
        Options = options;
        Client = new HttpClient { BaseAddress = new Uri(server.BaseAddress) };
    }

    public RegistryServer Server { get; }
    public string Root { get; }
    public RegistryOptions Options { get; }
    public HttpClient Client { get; }
    public bool KeepRoot { get; set; }

    public static async Task<TestRegistry> StartAsync(Func<RegistryOptions, RegistryOptions>? configure = null, string? root = null)
    {
        root ??= Directory.CreateTempSubdirectory("berth-registry-test-").FullName;
        var options = new RegistryOptions { Addr = "127.0.0.1:0", Root = root, AccessLog = "off" };
        if (configure is not null) options = configure(options);
        var server = await RegistryServer.StartAsync(options, _ => { });
        return new TestRegistry(server, root, options);
    }

    /// <summary>Stops this server and starts another on the same root (a restart).</summary>
    public async Task<TestRegistry> RestartAsync()
    {
        KeepRoot = true;
        await DisposeAsync();
        return await StartAsync(_ => Options with { Addr = "127.0.0.1:0" }, Root);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        if (!KeepRoot) Directory.Delete(Root, recursive: true);
    }

    // ---- helpers that speak the protocol

    public static string DigestOf(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static byte[] RandomBytes(int n)
    {
        var b = new byte[n];
        Random.Shared.NextBytes(b);
        return b;
    }

    /// <summary>Pushes a blob in one POST (?digest=) and checks the 201.</summary>
    public async Task<string> PushBlobAsync(string repo, byte[] data)
    {
        var digest = DigestOf(data);
        using var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var resp = await Client.PostAsync($"/v2/{repo}/blobs/uploads/?digest={digest}", content);
        Assert.Equal(HttpStatusCode.Created, resp.StatusCode);
        return digest;
    }

    public async Task<HttpResponseMessage> PutManifestAsync(string repo, string reference, byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await Client.PutAsync($"/v2/{repo}/manifests/{reference}", content);
    }

    /// <summary>Pushes a config and <paramref name="layers"/> random layers, then an OCI manifest under <paramref name="tag"/>.</summary>
    public async Task<TestImage> PushImageAsync(string repo, string tag, int layers = 2, string? subject = null, string? artifactType = null,
        Dictionary<string, string>? annotations = null)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":{Random.Shared.Next()}}}");
        var configDigest = await PushBlobAsync(repo, config);
        var layerList = new List<(string Digest, int Size)>();
        for (int i = 0; i < layers; i++)
        {
            var data = RandomBytes(1000 + i);
            layerList.Add((await PushBlobAsync(repo, data), data.Length));
        }
        var manifest = ManifestJson(configDigest, config.Length, layerList, subject, artifactType, annotations);
        using var resp = await PutManifestAsync(repo, tag, manifest, MediaTypes.OciManifest);
        Assert.Equal(HttpStatusCode.Created, resp.StatusCode);
        return new TestImage(DigestOf(manifest), manifest, configDigest, layerList.Select(l => l.Digest).ToList());
    }

    public static byte[] ManifestJson(string configDigest, int configSize, IEnumerable<(string Digest, int Size)> layers,
        string? subject = null, string? artifactType = null, Dictionary<string, string>? annotations = null, string configType = MediaTypes.OciConfig)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", MediaTypes.OciManifest);
            if (artifactType is not null) w.WriteString("artifactType", artifactType);
            w.WriteStartObject("config");
            w.WriteString("mediaType", configType);
            w.WriteString("digest", configDigest);
            w.WriteNumber("size", configSize);
            w.WriteEndObject();
            w.WriteStartArray("layers");
            foreach (var (d, s) in layers)
            {
                w.WriteStartObject();
                w.WriteString("mediaType", MediaTypes.OciLayerGzip);
                w.WriteString("digest", d);
                w.WriteNumber("size", s);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (subject is not null)
            {
                w.WriteStartObject("subject");
                w.WriteString("mediaType", MediaTypes.OciManifest);
                w.WriteString("digest", subject);
                w.WriteNumber("size", 100);
                w.WriteEndObject();
            }
            if (annotations is not null)
            {
                w.WriteStartObject("annotations");
                foreach (var (k, v) in annotations) w.WriteString(k, v);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    /// <summary>The spec's error code of a JSON error answer.</summary>
    public static async Task<string> ErrorCodeAsync(HttpResponseMessage resp)
    {
        var text = await resp.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }

    public static string? Header(HttpResponseMessage resp, string name) =>
        resp.Headers.TryGetValues(name, out var v) ? v.First()
        : resp.Content.Headers.TryGetValues(name, out var c) ? c.First() : null;
}

public sealed record TestImage(string Digest, byte[] Manifest, string ConfigDigest, List<string> Layers);
