using System.Net;

namespace IdentityBridge.EndToEnd.Federation;

/// <summary>
/// A cookie-keeping HTTP client that follows redirects by hand across loopback hosts. Like a browser on
/// localhost, it treats loopback http as a secure context, so <c>Secure</c> cookies of a Production bridge
/// on http://127.0.0.1 are kept and sent; like a browser, cookies are shared across ports of one host.
/// </summary>
public sealed class LoopbackBrowser : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CookieContainer _cookies = new();

    /// <summary>Every response seen: status line, headers and body.</summary>
    public List<string> Transcript { get; } = [];

    public async Task<List<(Uri Url, HttpStatusCode Status, string Body)>> FollowAsync(string url, int maxHops = 10)
    {
        var hops = new List<(Uri, HttpStatusCode, string)>();
        var next = new Uri(url);
        for (var i = 0; i < maxHops; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            request.Headers.Accept.ParseAdd("text/html");
            var cookieHeader = _cookies.GetCookieHeader(AsSecure(next));
            if (cookieHeader.Length > 0) request.Headers.Add("Cookie", cookieHeader);
            using var response = await _http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Transcript.Add($"{(int)response.StatusCode} {next}\n{response.Headers}\n{response.Content.Headers}\n{body}");
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
                foreach (var setCookie in setCookies) _cookies.SetCookies(AsSecure(next), setCookie);
            hops.Add((next, response.StatusCode, body));
            if (response.Headers.Location is not { } location || !IsLoopback(new Uri(next, location))) return hops;
            next = new Uri(next, location);
        }
        throw new InvalidOperationException("Too many redirects: " + string.Join(" -> ", hops.Select(h => h.Item1)));
    }

    public IEnumerable<Cookie> CookiesFor(string url) => _cookies.GetCookies(AsSecure(new Uri(url)));

    public void Dispose() => _http.Dispose();

    private static bool IsLoopback(Uri uri) => uri.IsLoopback;

    private static Uri AsSecure(Uri uri) => new UriBuilder(uri) { Scheme = Uri.UriSchemeHttps, Port = 443 }.Uri;
}
