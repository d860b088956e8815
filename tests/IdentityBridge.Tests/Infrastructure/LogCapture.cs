using System.Collections.Concurrent;

namespace IdentityBridge.Tests.Infrastructure;

/// <summary>Collects every log line a test host writes (message, exception, scopes are not included).</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}

/// <summary>Every response the test clients of one host received (status line, headers and body).</summary>
public sealed class ResponseLog
{
    public ConcurrentQueue<string> Responses { get; } = new();
}

/// <summary>Records every response a test client receives into a <see cref="ResponseLog"/>.</summary>
public sealed class ResponseCapture(ResponseLog log) : DelegatingHandler
{
    private ConcurrentQueue<string> Responses => log.Responses;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var body = response.Content is null ? "" : await response.Content.ReadAsStringAsync(cancellationToken);
        Responses.Enqueue($"{(int)response.StatusCode} {request.RequestUri}\n{response.Headers}\n{response.Content?.Headers}\n{body}");
        // The body was buffered by ReadAsStringAsync; callers can read it again.
        return response;
    }
}
