using System.Net;
using System.Text.Json;

namespace Berth.Engine.Distribution;

/// <summary>A registry said no: the HTTP status and the spec's error code, on one line for the user.</summary>
public sealed class RegistryException(string message, HttpStatusCode? status = null, string? code = null)
    : BerthException(message)
{
    public HttpStatusCode? Status { get; } = status;
    /// <summary>The spec's error code (<c>MANIFEST_UNKNOWN</c>, <c>BLOB_UNKNOWN</c>, <c>UNAUTHORIZED</c>...), when given.</summary>
    public string? Code { get; } = code;

    /// <summary>Reads an error response into an exception whose message starts with <paramref name="what"/>.</summary>
    public static async Task<RegistryException> FromResponseAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        string? code = null, detail = null;
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (body.Length is > 0 and < 1 << 20 && body[0] == (byte)'{')
            {
                var parsed = JsonSerializer.Deserialize(body, DistributionJson.Default.ErrorResponse);
                if (parsed?.Errors is [var first, ..])
                {
                    code = first.Code;
                    detail = string.Join("; ", parsed.Errors.Select(e => (e.Code?.ToLowerInvariant().Replace('_', ' ') ?? "error") +
                        (string.IsNullOrEmpty(e.Message) || e.Message.Equals(e.Code?.Replace('_', ' '), StringComparison.OrdinalIgnoreCase) ? "" : ": " + e.Message)));
                }
            }
        }
        catch (JsonException) { }
        catch (HttpRequestException) { }
        var status = response.StatusCode;
        detail ??= status switch
        {
            HttpStatusCode.Unauthorized => "unauthorized: authentication required",
            HttpStatusCode.Forbidden => "denied: requested access to the resource is denied",
            HttpStatusCode.NotFound => "not found",
            _ => $"HTTP {(int)status} {response.ReasonPhrase}",
        };
        return new RegistryException($"{what}: {OneLine(detail)}", status, code);
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
