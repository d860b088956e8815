using System.Net;
using System.Text;
using System.Threading.Channels;

namespace IdentityBridge.Tests.Xumm;

/// <summary>Answers requests from a script, one step per request, and records what it received.</summary>
internal sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _script = new();
    private readonly Channel<RecordedRequest> _arrivals = Channel.CreateUnbounded<RecordedRequest>();
    private readonly List<RecordedRequest> _requests = [];

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public FakeHttpHandler Respond(HttpStatusCode status, string? json = null, Action<HttpResponseMessage>? configure = null)
    {
        _script.Enqueue((_, _) =>
        {
            var response = new HttpResponseMessage(status);
            if (json is not null)
            {
                response.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            configure?.Invoke(response);
            return Task.FromResult(response);
        });
        return this;
    }

    public FakeHttpHandler Throw(Exception exception)
    {
        _script.Enqueue((_, _) => Task.FromException<HttpResponseMessage>(exception));
        return this;
    }

    /// <summary>A request that only ends when it is cancelled.</summary>
    public FakeHttpHandler Hang()
    {
        _script.Enqueue(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });
        return this;
    }

    /// <summary>Completes when the n-th request (1-based) has arrived.</summary>
    public async Task<RecordedRequest> WaitForRequestAsync(int number)
    {
        while (true)
        {
            lock (_requests)
            {
                if (_requests.Count >= number)
                {
                    return _requests[number - 1];
                }
            }

            using var safetyNet = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _arrivals.Reader.WaitToReadAsync(safetyNet.Token);
            _arrivals.Reader.TryRead(out _);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
            request.Content?.Headers.ContentType?.MediaType,
            body);
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> step;
        lock (_requests)
        {
            _requests.Add(recorded);
            step = _script.Count > 0
                ? _script.Dequeue()
                : throw new InvalidOperationException($"No scripted answer for request {_requests.Count}.");
        }

        _arrivals.Writer.TryWrite(recorded);
        return await step(request, cancellationToken);
    }
}

internal sealed record RecordedRequest(
    HttpMethod Method,
    Uri Uri,
    IReadOnlyDictionary<string, string> Headers,
    string? ContentType,
    string? Body);
