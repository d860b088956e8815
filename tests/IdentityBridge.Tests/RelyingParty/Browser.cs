using System.Net;

namespace IdentityBridge.Tests.RelyingParty;

/// <summary>
/// A cookie-keeping user agent for two in-memory servers: requests are routed by host, redirects are followed
/// by hand so each hop is visible in <see cref="History"/>.
/// </summary>
internal sealed class Browser
{
    private readonly CookieContainer _cookies = new();
    private readonly Dictionary<string, HttpClient> _hosts = new(StringComparer.OrdinalIgnoreCase);

    public Browser(FakeOpenIdProvider provider, RelyingPartyApp app)
    {
        _hosts[new Uri(FakeOpenIdProvider.Issuer).Host] = provider.Server.CreateClient();
        _hosts[new Uri(RelyingPartyApp.BaseAddress).Host] = app.Server.CreateClient();
    }

    public List<Uri> History { get; } = [];

    public IEnumerable<Cookie> CookiesFor(string url) => _cookies.GetCookies(new Uri(url));

    public Uri Last(string path) => History.Last(uri => uri.AbsolutePath == path);

    /// <summary>One GET, cookies sent and stored, no redirect followed.</summary>
    public async Task<HttpResponseMessage> GetAsync(Uri url)
    {
        History.Add(url);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var cookieHeader = _cookies.GetCookieHeader(url);
        if (cookieHeader.Length > 0)
        {
            request.Headers.Add("Cookie", cookieHeader);
        }

        var response = await _hosts[url.Host].SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                _cookies.SetCookies(url, setCookie);
            }
        }

        return response;
    }

    /// <summary>GETs and follows redirects across both servers until a non-redirect answer.</summary>
    public async Task<HttpResponseMessage> FollowAsync(string url) => await FollowAsync(new Uri(new Uri(RelyingPartyApp.BaseAddress), url));

    public async Task<HttpResponseMessage> FollowAsync(Uri url)
    {
        for (var hop = 0; hop < 10; hop++)
        {
            var response = await GetAsync(url);
            if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is null)
            {
                return response;
            }

            url = new Uri(url, response.Headers.Location);
            response.Dispose();
        }

        throw new InvalidOperationException("Too many redirects.");
    }

    /// <summary>Follows from <paramref name="url"/> until the next hop would be <paramref name="path"/>, and returns that hop's URL unvisited.</summary>
    public async Task<Uri> FollowUntilAsync(string url, string path)
    {
        var next = new Uri(new Uri(RelyingPartyApp.BaseAddress), url);
        for (var hop = 0; hop < 10; hop++)
        {
            if (next.AbsolutePath == path)
            {
                return next;
            }

            using var response = await GetAsync(next);
            if (response.Headers.Location is null)
            {
                throw new InvalidOperationException($"Stopped at {next} with {(int)response.StatusCode}.");
            }

            next = new Uri(next, response.Headers.Location);
        }

        throw new InvalidOperationException("Too many redirects.");
    }
}
