using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Berth.Registry.Http;

/// <summary>Request, byte and error counters, served at <c>/metrics</c> in Prometheus' text format.</summary>
public sealed class RegistryMetrics
{
    private sealed class Counter
    {
        public long Count;
        public long Ticks;
    }

    private readonly ConcurrentDictionary<(string Method, string Route, int Status), Counter> _requests = new();
    private readonly ConcurrentDictionary<string, Counter> _errors = new(StringComparer.Ordinal);
    private long _bytesSent, _bytesReceived;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

    public void Request(string method, string route, int status, long elapsedTicks)
    {
        var c = _requests.GetOrAdd((method, route, status), static _ => new Counter());
        Interlocked.Increment(ref c.Count);
        Interlocked.Add(ref c.Ticks, elapsedTicks);
    }

    public void Error(string code) => Interlocked.Increment(ref _errors.GetOrAdd(code, static _ => new Counter()).Count);
    public void Sent(long bytes) => Interlocked.Add(ref _bytesSent, bytes);
    public void Received(long bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    public string Render()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append("# HELP berth_registry_http_requests_total HTTP requests by method, route and status.\n");
        sb.Append("# TYPE berth_registry_http_requests_total counter\n");
        foreach (var ((m, r, s), c) in _requests.OrderBy(k => k.Key))
            sb.Append(inv, $"berth_registry_http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{s}\"}} {c.Count}\n");
        sb.Append("# HELP berth_registry_http_request_duration_seconds_sum Time spent answering, by method, route and status.\n");
        sb.Append("# TYPE berth_registry_http_request_duration_seconds_sum counter\n");
        foreach (var ((m, r, s), c) in _requests.OrderBy(k => k.Key))
            sb.Append(inv, $"berth_registry_http_request_duration_seconds_sum{{method=\"{m}\",route=\"{r}\",status=\"{s}\"}} {c.Ticks / (double)TimeSpan.TicksPerSecond:0.######}\n");
        sb.Append("# HELP berth_registry_errors_total Error responses by the spec's error code.\n");
        sb.Append("# TYPE berth_registry_errors_total counter\n");
        foreach (var (code, c) in _errors.OrderBy(k => k.Key, StringComparer.Ordinal))
            sb.Append(inv, $"berth_registry_errors_total{{code=\"{code}\"}} {c.Count}\n");
        sb.Append("# HELP berth_registry_bytes_sent_total Response body bytes sent.\n# TYPE berth_registry_bytes_sent_total counter\n");
        sb.Append(inv, $"berth_registry_bytes_sent_total {Interlocked.Read(ref _bytesSent)}\n");
        sb.Append("# HELP berth_registry_bytes_received_total Request body bytes received.\n# TYPE berth_registry_bytes_received_total counter\n");
        sb.Append(inv, $"berth_registry_bytes_received_total {Interlocked.Read(ref _bytesReceived)}\n");
        sb.Append("# HELP berth_registry_start_time_seconds When the server started (Unix time).\n# TYPE berth_registry_start_time_seconds gauge\n");
        sb.Append(inv, $"berth_registry_start_time_seconds {_started.ToUnixTimeSeconds()}\n");
        return sb.ToString();
    }
}
