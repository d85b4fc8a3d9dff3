using System.Text;

namespace Berth.Registry.Http;

/// <summary><c>GET /v2/</c> (the version check) and <c>GET /metrics</c>.</summary>
internal static class MetaHandlers
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    public static Task BaseAsync(RequestContext r)
    {
        r.Response.StatusCode = 200;
        r.Response.ContentType = "application/json";
        r.Response.ContentLength = EmptyObject.Length;
        return r.Request.Method == "HEAD" ? Task.CompletedTask : r.Response.Body.WriteAsync(EmptyObject).AsTask();
    }

    public static Task MetricsAsync(RequestContext r)
    {
        var bytes = Encoding.UTF8.GetBytes(r.App.Metrics.Render());
        r.Response.StatusCode = 200;
        r.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        r.Response.ContentLength = bytes.Length;
        return r.Response.Body.WriteAsync(bytes).AsTask();
    }
}
