using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Http;

/// <summary>Writing answers: JSON bodies, the spec's error documents, empty answers with headers.</summary>
internal static class Responses
{
    public static Task Json<T>(HttpContext ctx, int status, T value, JsonTypeInfo<T> type, string contentType = "application/json")
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, type);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        ctx.Response.ContentLength = bytes.Length;
        return ctx.Response.Body.WriteAsync(bytes).AsTask();
    }

    public static Task Error(HttpContext ctx, RegistryError error, string message, string? digest = null, int? status = null)
    {
        var body = new ErrorBody([new ErrorEntry(error.Code(), message, digest is null ? null : new ErrorDetail(digest))]);
        if (ctx.Request.Method == "HEAD")
        {
            ctx.Response.StatusCode = status ?? error.Status();
            ctx.Response.ContentLength = 0;
            return Task.CompletedTask;
        }
        return Json(ctx, status ?? error.Status(), body, RegistryJson.Default.ErrorBody);
    }

    public static void Empty(HttpContext ctx, int status)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentLength = 0;
    }

    /// <summary>The upload status headers every upload answer carries.</summary>
    public static void UploadHeaders(HttpContext ctx, string name, string id, long size)
    {
        var h = ctx.Response.Headers;
        h.Location = $"/v2/{name}/blobs/uploads/{id}";
        h["Range"] = $"0-{Math.Max(0, size - 1)}";
        h["Docker-Upload-UUID"] = id;
        h["Blob-Upload-Session-ID"] = id;
    }

    /// <summary>A Link header for the next page of a list.</summary>
    public static void NextLink(HttpContext ctx, string path, string last, int n) =>
        ctx.Response.Headers["Link"] = $"<{path}?last={Uri.EscapeDataString(last)}&n={n}>; rel=\"next\"";
}
