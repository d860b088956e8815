using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IdentityBridge.Provider.Protocol;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>A browser (cookies, no automatic redirects) and an API caller driving the provider like a client would.</summary>
public sealed class OidcDriver
{
    private readonly ProviderHost _host;

    public OidcDriver(ProviderHost host, string? wallet = null)
    {
        _host = host;
        Browser = host.CreateBrowser();
        Api = host.CreateApiClient();
        Wallet = wallet ?? TestWallets.New();
    }

    public HttpClient Browser { get; }
    public HttpClient Api { get; }
    public string Wallet { get; }
    public string Verifier { get; } = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
    public string Challenge => Pkce.Challenge(Verifier);

    /// <summary>Authorization request parameters with PKCE, state and nonce.</summary>
    public Dictionary<string, string> Params(string clientId = TestClients.Web, string scope = "openid profile email wallet roles offline_access", string redirectUri = TestClients.Redirect) => new()
    {
        ["client_id"] = clientId,
        ["redirect_uri"] = redirectUri,
        ["response_type"] = "code",
        ["scope"] = scope,
        ["state"] = "st-" + Guid.NewGuid().ToString("N")[..8],
        ["nonce"] = "n-" + Guid.NewGuid().ToString("N")[..8],
        ["code_challenge"] = Challenge,
        ["code_challenge_method"] = "S256",
    };

    public Task<HttpResponseMessage> AuthorizeAsync(IDictionary<string, string> parameters) =>
        Browser.GetAsync(QueryHelpers.AddQueryString("/connect/authorize", parameters!));

    /// <summary>Follows /login through the test sign-in back to the authorize URL, once.</summary>
    public async Task<HttpResponseMessage> SignInAtLoginAsync(HttpResponseMessage loginRedirect, string network = "MAINNET", string? acr = null, string? wallet = null)
    {
        var location = loginRedirect.Headers.Location!.OriginalString;
        Assert.StartsWith("/login?", location);
        var returnUrl = QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["returnUrl"].ToString();
        var query = new Dictionary<string, string?> { ["wallet"] = wallet ?? Wallet, ["network"] = network, ["returnUrl"] = returnUrl, ["acr"] = acr };
        var signIn = await Browser.GetAsync(QueryHelpers.AddQueryString("/test/signin", query));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return await Browser.GetAsync(signIn.Headers.Location!.OriginalString);
    }

    /// <summary>Authorize; when sent to /login, sign in and resume. The last response (normally the redirect to the client).</summary>
    public async Task<HttpResponseMessage> AuthorizeSignedInAsync(IDictionary<string, string> parameters, string network = "MAINNET", string? acr = null)
    {
        var response = await AuthorizeAsync(parameters);
        if (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.StartsWith("/login?", StringComparison.Ordinal))
            response = await SignInAtLoginAsync(response, network, acr);
        return response;
    }

    public async Task<string> GetCodeAsync(IDictionary<string, string> parameters, string network = "MAINNET", string? acr = null)
    {
        var response = await AuthorizeSignedInAsync(parameters, network, acr);
        var callback = Callback(response);
        Assert.True(callback.ContainsKey("code"), "no code: " + response.Headers.Location);
        Assert.Equal(parameters["state"], callback["state"]);
        return callback["code"];
    }

    /// <summary>The parameters of a redirect to the client.</summary>
    public static Dictionary<string, string> Callback(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        var query = location.Contains('?') ? location[location.IndexOf('?')..] : "";
        return QueryHelpers.ParseQuery(query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public Task<HttpResponseMessage> TokenAsync(IDictionary<string, string> form, string? basicId = null, string? basicSecret = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form) };
        if (basicId is not null) request.Headers.Authorization = Basic(basicId, basicSecret ?? "");
        return Api.SendAsync(request);
    }

    public Task<HttpResponseMessage> RedeemAsync(string code, string clientId = TestClients.Web, string secret = TestClients.WebSecret, string? verifier = null, string redirectUri = TestClients.Redirect)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri, ["code_verifier"] = verifier ?? Verifier };
        return TokenAsync(form, clientId, secret);
    }

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken, string clientId = TestClients.Web, string secret = TestClients.WebSecret, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken };
        if (scope is not null) form["scope"] = scope;
        return TokenAsync(form, clientId, secret);
    }

    /// <summary>The whole code flow for the confidential web client: tokens as JSON.</summary>
    public async Task<JsonElement> LoginAsync(Dictionary<string, string>? parameters = null, string clientId = TestClients.Web, string secret = TestClients.WebSecret, string? acr = null)
    {
        parameters ??= Params(clientId);
        var code = await GetCodeAsync(parameters, acr: acr);
        var response = await RedeemAsync(code, clientId, secret);
        return await Json(response, HttpStatusCode.OK);
    }

    public async Task<HttpResponseMessage> UserInfoAsync(string accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await Api.SendAsync(request);
    }

    public static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WebUtility.UrlEncode(id) + ":" + WebUtility.UrlEncode(secret))));

    public static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var json = await Json(response, status);
        Assert.Equal(error, json.GetProperty("error").GetString());
    }

    public static JsonWebToken Jwt(string token) => new(token);
}
