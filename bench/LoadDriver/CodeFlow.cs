using System.Net;
using System.Web;

namespace LoadDriver;

/// <summary>
/// The authorization-code flow with PKCE as a browser with a cookie jar runs it: GET the authorize URL,
/// follow redirects (login, upstream sign-in, back to authorize) until the provider redirects to the
/// client's redirect URI, check state and iss, then redeem the code at the token endpoint.
/// </summary>
public static class CodeFlow
{
    public readonly record struct Authorization(string? Code, string? Verifier, int Hops, string? Error);

    /// <summary>Runs authorize until the redirect to the client; <paramref name="maxHops"/> bounds the redirects followed.</summary>
    public static async Task<Authorization> AuthorizeAsync(BenchContext context, WorkerSlot slot, ClientCredentials client, string scope, int maxHops, CancellationToken ct)
    {
        var settings = context.Settings;
        var (verifier, challenge) = Pkce.NewPair();
        var state = Pkce.RandomValue(12);
        var query = HttpUtility.ParseQueryString(string.Empty);
        query["response_type"] = "code";
        query["client_id"] = client.ClientId;
        query["redirect_uri"] = settings.RedirectUri;
        query["scope"] = scope;
        query["state"] = state;
        query["nonce"] = Pkce.RandomValue(12);
        query["code_challenge"] = challenge;
        query["code_challenge_method"] = "S256";
        var uri = new Uri(context.Provider.Authorization + "?" + query);

        for (var hop = 1; hop <= maxHops; hop++)
        {
            var reply = await Http.BrowseAsync(context.Http, slot.Cookies, uri, ct);
            if ((int)reply.Status is < 300 or > 399 || reply.Location is null)
                return new(null, null, hop, $"authorize: {(int)reply.Status} at {uri.AbsolutePath}");
            var next = reply.Location;
            if (next.AbsoluteUri.StartsWith(settings.RedirectUri, StringComparison.Ordinal))
            {
                var result = HttpUtility.ParseQueryString(next.Query);
                if (result["error"] is { } error) return new(null, null, hop, $"authorize: {error}");
                if (result["state"] != state) return new(null, null, hop, "authorize: state mismatch");
                if (result["iss"] is { } iss && iss != context.Provider.Issuer) return new(null, null, hop, "authorize: iss mismatch");
                return result["code"] is { Length: > 0 } code ? new(code, verifier, hop, null) : new(null, null, hop, "authorize: no code");
            }
            uri = next;
        }
        return new(null, null, maxHops, "authorize: too many redirects");
    }

    /// <summary>Redeems a code with its PKCE verifier.</summary>
    public static async Task<(TokenSet? Tokens, Outcome Outcome)> RedeemAsync(BenchContext context, ClientCredentials client, string code, string verifier, CancellationToken ct)
    {
        var reply = await Http.PostTokenAsync(context, client,
        [
            new("grant_type", "authorization_code"),
            new("code", code),
            new("redirect_uri", context.Settings.RedirectUri),
            new("code_verifier", verifier),
        ], ct);
        if (reply.Status != HttpStatusCode.OK) return (null, Outcome.FromResponse(reply.Status, reply.Body));
        var tokens = TokenSet.Read(reply.Body);
        return tokens is null ? (null, Outcome.Fail("token: not a token response")) : (tokens, Outcome.Success);
    }

    /// <summary>A whole login from a fresh or existing session to tokens.</summary>
    public static async Task<(TokenSet? Tokens, Outcome Outcome)> LoginAsync(BenchContext context, WorkerSlot slot, ClientCredentials client, string scope, CancellationToken ct)
    {
        var authorization = await AuthorizeAsync(context, slot, client, scope, maxHops: 12, ct);
        if (authorization.Error is { } error) return (null, Outcome.Fail(error));
        return await RedeemAsync(context, client, authorization.Code!, authorization.Verifier!, ct);
    }
}
