using System.Net;

namespace LoadDriver;

/// <summary>The few HTTP exchanges the scenarios are made of. Every body is read to the end so the connection is reused.</summary>
public static class Http
{
    public readonly record struct Reply(HttpStatusCode Status, byte[] Body, Uri? Location);

    /// <summary>A browser-like GET: sends the slot's cookies and stores the ones set; redirects are returned, not followed.</summary>
    public static async Task<Reply> BrowseAsync(HttpClient http, CookieContainer jar, Uri uri, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        var cookies = jar.GetCookieHeader(uri);
        if (cookies.Length > 0) request.Headers.Add("Cookie", cookies);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            foreach (var setCookie in setCookies)
                jar.SetCookies(uri, setCookie);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var location = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l : new Uri(uri, l)) : null;
        return new Reply(response.StatusCode, body, location);
    }

    /// <summary>A token request with client_secret_basic.</summary>
    public static async Task<Reply> PostTokenAsync(BenchContext context, ClientCredentials client, IEnumerable<KeyValuePair<string, string>> form, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, context.Provider.Token) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = client.BasicHeader;
        using var response = await context.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        return new Reply(response.StatusCode, await response.Content.ReadAsByteArrayAsync(ct), null);
    }

    /// <summary>A GET with an optional bearer token.</summary>
    public static async Task<Reply> GetAsync(HttpClient http, Uri uri, string? bearer, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (bearer is not null) request.Headers.Authorization = new("Bearer", bearer);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        return new Reply(response.StatusCode, await response.Content.ReadAsByteArrayAsync(ct), null);
    }
}
