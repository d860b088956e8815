using System.Collections.Concurrent;

namespace IdentityBridge.Tests.Federation;

/// <summary>
/// Sits in the bridge's "xumm" HttpClient: counts calls per path and can make the discovery document and the
/// JWKS unreachable (the rest of Xumm keeps answering), as when only part of the upstream is down.
/// </summary>
public sealed class UpstreamProbe
{
    public ConcurrentDictionary<string, int> Calls { get; } = new();
    public volatile bool MetadataDown;

    public int CallsTo(string suffix) => Calls.Where(c => c.Key.EndsWith(suffix, StringComparison.Ordinal)).Sum(c => c.Value);

    public DelegatingHandler CreateHandler() => new Handler(this);

    private sealed class Handler(UpstreamProbe probe) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            probe.Calls.AddOrUpdate(path, 1, (_, n) => n + 1);
            if (probe.MetadataDown && (path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal) || path.EndsWith("/certs", StringComparison.Ordinal)))
                throw new HttpRequestException("Connection refused (simulated).");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
