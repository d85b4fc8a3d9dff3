using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Berth.Engine.Tests.Distribution;

/// <summary>
/// An in-memory registry on a loopback port for tests that need to misbehave on purpose (corrupt
/// blobs, failing requests) or to speak token auth: the distribution spec's verbs, per-repository
/// blob links (so mounts mean something), and optionally Bearer tokens from its own <c>/token</c>
/// realm, which checks Basic credentials when <see cref="TokenUser"/> is set.
/// </summary>
public sealed class FakeRegistry : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, MemoryStream> _uploads = new();

    public ConcurrentDictionary<string, byte[]> Blobs { get; } = new();
    public ConcurrentDictionary<(string Repo, string Digest), bool> Links { get; } = new();
    public ConcurrentDictionary<string, (byte[] Bytes, string MediaType)> Manifests { get; } = new();
    public ConcurrentQueue<string> Requests { get; } = new();
    public ConcurrentQueue<string> TokenScopes { get; } = new();

    /// <summary>Require Bearer tokens from the /token realm.</summary>
    public bool RequireToken { get; set; }
    /// <summary>Credentials the token realm insists on (anonymous tokens when null).</summary>
    public (string User, string Password)? TokenUser { get; set; }
    /// <summary>Runs first for every request; returns true when it answered.</summary>
    public Func<HttpListenerContext, bool>? Intercept { get; set; }

    public int Port { get; }
    public string Domain => $"127.0.0.1:{Port}";

    public FakeRegistry()
    {
        for (int attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try { _listener.Start(); break; }
            catch (HttpListenerException) when (attempt < 5) { }
        }
        _loop = Task.Run(LoopAsync);
    }

    public int Count(string method, string pathPart) => Requests.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal) && r.Contains(pathPart, StringComparison.Ordinal));

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() =>
            {
                try { Handle(ctx); }
                catch (Exception e) { try { Send(ctx, 500, Encoding.UTF8.GetBytes(e.Message)); } catch (Exception) { } }
            });
        }
    }

    private void Handle(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        var path = req.Url!.AbsolutePath;
        Requests.Enqueue($"{req.HttpMethod} {req.Url.PathAndQuery}");
        if (Intercept?.Invoke(ctx) == true) return;
        if (path == "/token") { Token(ctx); return; }
        if (RequireToken && !(req.Headers["Authorization"]?.StartsWith("Bearer tok-", StringComparison.Ordinal) ?? false))
        {
            ctx.Response.AddHeader("WWW-Authenticate", $"Bearer realm=\"http://{Domain}/token\",service=\"fake-registry\"");
            Error(ctx, 401, "UNAUTHORIZED", "authentication required");
            return;
        }
        if (path == "/v2/" || path == "/v2") { Send(ctx, 200, "{}"u8.ToArray(), "application/json"); return; }
        if (!path.StartsWith("/v2/", StringComparison.Ordinal)) { Error(ctx, 404, "NOT_FOUND", "no such route"); return; }
        var rest = path[4..];
        int m;
        if ((m = rest.IndexOf("/manifests/", StringComparison.Ordinal)) > 0) Manifest(ctx, rest[..m], rest[(m + 11)..]);
        else if ((m = rest.IndexOf("/blobs/uploads", StringComparison.Ordinal)) > 0) Upload(ctx, rest[..m], rest[(m + 14)..].TrimStart('/'));
        else if ((m = rest.IndexOf("/blobs/", StringComparison.Ordinal)) > 0) Blob(ctx, rest[..m], rest[(m + 7)..]);
        else if (rest.EndsWith("/tags/list", StringComparison.Ordinal))
        {
            var repo = rest[..^10];
            var tags = Manifests.Keys.Where(k => k.StartsWith(repo + ":", StringComparison.Ordinal) && !k.Contains("sha256:")).Select(k => "\"" + k[(repo.Length + 1)..] + "\"");
            Send(ctx, 200, Encoding.UTF8.GetBytes($"{{\"name\":\"{repo}\",\"tags\":[{string.Join(",", tags)}]}}"), "application/json");
        }
        else Error(ctx, 404, "NOT_FOUND", "no such route");
    }

    private void Token(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        foreach (var s in req.QueryString.GetValues("scope") ?? []) TokenScopes.Enqueue(s);
        if (TokenUser is { } user)
        {
            var auth = req.Headers["Authorization"];
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user.User}:{user.Password}"));
            if (auth != expected) { Error(ctx, 401, "UNAUTHORIZED", "bad credentials"); return; }
        }
        Send(ctx, 200, Encoding.UTF8.GetBytes($"{{\"token\":\"tok-{Guid.NewGuid():N}\",\"expires_in\":300}}"), "application/json");
    }

    private void Manifest(HttpListenerContext ctx, string repo, string reference)
    {
        var key = repo + ":" + reference;
        switch (ctx.Request.HttpMethod)
        {
            case "GET" or "HEAD":
                if (!Manifests.TryGetValue(key, out var m)) { Error(ctx, 404, "MANIFEST_UNKNOWN", "manifest unknown"); return; }
                ctx.Response.AddHeader("Docker-Content-Digest", Sha256(m.Bytes));
                Send(ctx, 200, m.Bytes, m.MediaType);
                return;
            case "PUT":
                var body = ReadBody(ctx);
                var digest = Sha256(body);
                var type = ctx.Request.ContentType ?? "application/json";
                Manifests[key] = (body, type);
                Manifests[repo + ":" + digest] = (body, type);
                ctx.Response.AddHeader("Docker-Content-Digest", digest);
                ctx.Response.AddHeader("Location", $"/v2/{repo}/manifests/{digest}");
                Send(ctx, 201, []);
                return;
        }
        Error(ctx, 405, "UNSUPPORTED", "method");
    }

    private void Blob(HttpListenerContext ctx, string repo, string digest)
    {
        if (!Links.ContainsKey((repo, digest)) || !Blobs.TryGetValue(digest, out var data)) { Error(ctx, 404, "BLOB_UNKNOWN", "blob unknown"); return; }
        ctx.Response.AddHeader("Docker-Content-Digest", digest);
        Send(ctx, 200, data, "application/octet-stream");
    }

    private void Upload(HttpListenerContext ctx, string repo, string id)
    {
        var req = ctx.Request;
        if (req.HttpMethod == "POST")
        {
            if (req.QueryString["mount"] is { } mount && req.QueryString["from"] is { } from && Links.ContainsKey((from, mount)))
            {
                Links[(repo, mount)] = true;
                ctx.Response.AddHeader("Location", $"/v2/{repo}/blobs/{mount}");
                Send(ctx, 201, []);
                return;
            }
            var session = Guid.NewGuid().ToString("N");
            _uploads[session] = new MemoryStream();
            ctx.Response.AddHeader("Location", $"/v2/{repo}/blobs/uploads/{session}?_state=s{session}");
            Send(ctx, 202, []);
            return;
        }
        if (!_uploads.TryGetValue(id, out var buffer)) { Error(ctx, 404, "BLOB_UPLOAD_UNKNOWN", "upload unknown"); return; }
        if (req.QueryString["_state"] != "s" + id) { Error(ctx, 400, "BLOB_UPLOAD_INVALID", "Location not followed exactly"); return; }
        var body = ReadBody(ctx);
        lock (buffer) buffer.Write(body);
        if (req.HttpMethod == "PATCH")
        {
            ctx.Response.AddHeader("Location", $"/v2/{repo}/blobs/uploads/{id}?_state=s{id}");
            ctx.Response.AddHeader("Range", $"0-{buffer.Length - 1}");
            Send(ctx, 202, []);
            return;
        }
        var digest = req.QueryString["digest"];
        var data = buffer.ToArray();
        if (digest != Sha256(data)) { Error(ctx, 400, "DIGEST_INVALID", "digest does not match"); return; }
        Blobs[digest] = data;
        Links[(repo, digest)] = true;
        _uploads.TryRemove(id, out _);
        ctx.Response.AddHeader("Docker-Content-Digest", digest);
        Send(ctx, 201, []);
    }

    /// <summary>Puts content straight into a repository (no HTTP), returning its digest.</summary>
    public string AddBlob(string repo, byte[] data)
    {
        var d = Sha256(data);
        Blobs[d] = data;
        Links[(repo, d)] = true;
        return d;
    }

    public string AddManifest(string repo, string reference, byte[] bytes, string mediaType)
    {
        var d = Sha256(bytes);
        Manifests[repo + ":" + reference] = (bytes, mediaType);
        Manifests[repo + ":" + d] = (bytes, mediaType);
        return d;
    }

    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    private static byte[] ReadBody(HttpListenerContext ctx)
    {
        using var ms = new MemoryStream();
        ctx.Request.InputStream.CopyTo(ms);
        return ms.ToArray();
    }

    public static void Send(HttpListenerContext ctx, int status, byte[] body, string? contentType = null)
    {
        ctx.Response.StatusCode = status;
        if (contentType is not null) ctx.Response.ContentType = contentType;
        ctx.Response.ContentLength64 = body.Length;
        if (ctx.Request.HttpMethod != "HEAD" && body.Length > 0) ctx.Response.OutputStream.Write(body);
        ctx.Response.Close();
    }

    public static void Error(HttpListenerContext ctx, int status, string code, string message) =>
        Send(ctx, status, Encoding.UTF8.GetBytes($"{{\"errors\":[{{\"code\":\"{code}\",\"message\":\"{message}\"}}]}}"), "application/json");

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch (Exception) { }
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (Exception) { }
    }
}
