using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace IdentityBridge.EndToEnd.Sample;

/// <summary>
/// A user agent made of an HttpClient with a cookie jar that never follows redirects on its own: the tests
/// follow them one by one and see every hop.
/// </summary>
public sealed class Browser : IDisposable
{
    private readonly HttpClient _http;

    public Browser()
    {
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>Every URL requested by the last <see cref="FollowAsync"/>, in order.</summary>
    public List<Uri> Visited { get; } = [];

    public async Task<HttpResponseMessage> GetAsync(Uri url) => await _http.GetAsync(url);

    public async Task<HttpResponseMessage> PostFormAsync(Uri url, IEnumerable<KeyValuePair<string, string>> fields)
    {
        using var content = new FormUrlEncodedContent(fields);
        return await _http.PostAsync(url, content);
    }

    /// <summary>
    /// Follows the redirects of <paramref name="first"/> (already sent) until a Location resolves to
    /// <paramref name="stop"/> (compared without query) and returns that URL. Fails on any other answer.
    /// </summary>
    public async Task<Uri> FollowAsync(HttpResponseMessage first, Uri from, Uri stop, int maxHops = 20)
    {
        Visited.Clear();
        var response = first;
        var current = from;
        for (var hop = 0; hop < maxHops; hop++)
        {
            using (response)
            {
                if ((int)response.StatusCode is < 300 or > 399 || response.Headers.Location is null)
                    throw new InvalidOperationException(
                        $"expected a redirect from {current}, got {(int)response.StatusCode}: {Truncate(await response.Content.ReadAsStringAsync())}\nvisited: {string.Join(" -> ", Visited)}");
                var next = new Uri(current, response.Headers.Location);
                if (next.GetLeftPart(UriPartial.Path) == stop.GetLeftPart(UriPartial.Path)) return next;
                current = next;
            }
            Visited.Add(current);
            response = await _http.GetAsync(current);
        }
        throw new InvalidOperationException($"no redirect to {stop} within {maxHops} hops: {string.Join(" -> ", Visited)}");
    }

    /// <summary>GETs <paramref name="url"/> (200 expected) and parses the page.</summary>
    public async Task<IDocument> PageAsync(Uri url)
    {
        using var response = await _http.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}: {Truncate(html)}");
        return new HtmlParser().ParseDocument(html);
    }

    /// <summary>The hidden fields of the form with id <paramref name="formId"/> (antiforgery token included).</summary>
    public static List<KeyValuePair<string, string>> FormFields(IDocument page, string formId)
    {
        var form = page.QuerySelector($"form#{formId}") ?? throw new InvalidOperationException($"no form #{formId} on the page:\n{Truncate(page.Body?.OuterHtml)}");
        return form.QuerySelectorAll("input[type=hidden]")
            .Select(i => new KeyValuePair<string, string>(i.GetAttribute("name") ?? "", i.GetAttribute("value") ?? ""))
            .ToList();
    }

    private static string Truncate(string? text) => text is null ? "" : text.Length <= 2000 ? text : text[..2000];

    public void Dispose() => _http.Dispose();
}
