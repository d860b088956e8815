using System.Threading.Channels;

namespace IdentityBridge.Tests.Simulator;

/// <summary>Stands in for the receiving web server: records each webhook request and answers as told.</summary>
public sealed class WebhookRecorder : HttpMessageHandler
{
    private readonly Channel<RecordedWebhook> _received = Channel.CreateUnbounded<RecordedWebhook>();
    private readonly Queue<Func<CancellationToken, Task<HttpResponseMessage>>> _answers = new();

    /// <summary>The next request answers with this status (default 200).</summary>
    public void AnswerNext(System.Net.HttpStatusCode status) =>
        Enqueue(_ => Task.FromResult(new HttpResponseMessage(status)));

    /// <summary>The next request never answers (until the sender gives up).</summary>
    public void HangNext() =>
        Enqueue(async token =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        });

    private void Enqueue(Func<CancellationToken, Task<HttpResponseMessage>> answer)
    {
        lock (_answers)
        {
            _answers.Enqueue(answer);
        }
    }

    public async Task<RecordedWebhook> NextAsync() =>
        await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public bool HasMore => _received.Reader.TryPeek(out _);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
        Func<CancellationToken, Task<HttpResponseMessage>>? answer;
        lock (_answers)
        {
            _answers.TryDequeue(out answer);
        }

        _received.Writer.TryWrite(new RecordedWebhook(request.RequestUri!, headers, body));
        return answer is null ? new HttpResponseMessage(System.Net.HttpStatusCode.OK) : await answer(cancellationToken);
    }
}

public sealed record RecordedWebhook(Uri Url, IReadOnlyDictionary<string, string> Headers, string Body);
