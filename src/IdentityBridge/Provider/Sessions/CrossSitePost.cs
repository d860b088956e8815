using IdentityBridge.Provider.Protocol;

namespace IdentityBridge.Provider.Sessions;

/// <summary>
/// The session cookie is SameSite=Lax, so a browser leaves it off a form POST that another site sends
/// (an application posting its authorization or logout request to the bridge: OIDC Core §3.1.2.1 and
/// RP-Initiated Logout 1.0 §2 require POST support). Such a request would look like one from a browser
/// without a session: prompt=none would answer login_required and a logout would end nothing. A POST to
/// these endpoints that arrives without the cookie is therefore answered with 303 See Other to the same
/// endpoint, its form parameters re-encoded into the query: the browser's top-level GET navigation carries
/// Lax cookies, from another site too. A GET is never sent on, so there is no loop, and the request is
/// validated once, on the GET.
/// </summary>
public static class CrossSitePost
{
    /// <summary>
    /// The longest URL sent on (in characters of the Location): well inside the request line the server
    /// accepts and the URL lengths browsers and proxies handle. A longer request is answered as a POST.
    /// </summary>
    public const int MaxLocationLength = 8 * 1024;

    /// <summary>
    /// The 303 that re-sends this form POST, read as <paramref name="parameters"/>, as a GET to <paramref name="path"/>,
    /// or null when the request is to be answered as it is: not a POST, the session cookie came with it, or the URL
    /// would be too long. Call after the form was read.
    /// </summary>
    public static IResult? SeeOtherAsGet(HttpContext context, string path, OAuthParameters parameters)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || request.Cookies.ContainsKey(BridgeSession.CookieName))
            return null;
        // Every name and value percent-encoded again from the octets posted, repeated parameters and names in any
        // letter case kept, so the GET sees exactly what was posted (and refuses what the POST would have refused).
        var location = request.PathBase.Add(path).ToUriComponent() + parameters.ToQueryString();
        if (location.Length > MaxLocationLength) return null;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Location = location;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }
}
