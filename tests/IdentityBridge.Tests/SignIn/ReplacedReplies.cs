using System.Collections.Concurrent;
using System.Net;
using System.Text;
using IdentityBridge.Xumm;

namespace IdentityBridge.Tests.SignIn;

/// <summary>
/// Sits in the bridge's platform HttpClient and answers chosen platform calls itself, with HTTP 200 and a body of
/// the test's choosing (e.g. a field Xumm must send, sent as null); every other call reaches the simulator.
/// A call is named by its method and first path segment below the API base: <c>POST payload</c>,
/// <c>GET payload</c>, <c>DELETE payload</c>, <c>POST user-tokens</c>, <c>GET xapp</c>.
/// </summary>
public sealed class ReplacedReplies
{
    private const string ApiBase = "/api/v1/platform/";
    private readonly ConcurrentDictionary<string, string> _bodies = new(StringComparer.Ordinal);

    /// <summary>From now on <paramref name="call"/> is answered with <paramref name="body"/>; null lets it through again.</summary>
    public void Replace(string call, string? body)
    {
        if (body is null) _bodies.TryRemove(call, out _);
        else _bodies[call] = body;
    }

    /// <summary>Adds the replacing handler to the bridge's platform client.</summary>
    public void AddTo(IServiceCollection services) =>
        services.AddHttpClient(nameof(XummPlatformClient)).AddHttpMessageHandler(() => new Handler(this));

    private sealed class Handler(ReplacedReplies replies) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            var at = path.IndexOf(ApiBase, StringComparison.Ordinal);
            if (at >= 0)
            {
                var segment = path[(at + ApiBase.Length)..].Split('/')[0];
                if (replies._bodies.TryGetValue(request.Method.Method + " " + segment, out var body))
                    return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
                    {
                        Content = new StringContent(body, Encoding.UTF8, "application/json"),
                    });
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
