using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// Interoperability with ASP.NET Core's own OpenID Connect handler (<c>AddOpenIdConnect</c>), configured as its
/// documentation shows for a web app: discovery, code flow with PKCE, <c>form_post</c> responses, a client secret in
/// the body, nonce and ID token validation against the JWKS, claims from userinfo, RP-initiated sign-out.
/// The handler is Microsoft's code; only the bridge and the browser that carries the redirects are ours.
/// </summary>
public sealed class AspNetCoreOpenIdConnectTests
{
    private const string ClientId = "aspnet-web";
    private const string ClientSecret = "aspnet-web-secret-0123456789abcdef";
    private const string AppOrigin = "https://rp.example";

    /// <summary>The bridge with the app declared as a client the way its README tells an administrator to.</summary>
    private sealed class Bridge : ProviderHost
    {
        public Bridge(string authMethod = "client_secret_post")
        {
            Settings["Bridge:Clients:9:ClientId"] = ClientId;
            Settings["Bridge:Clients:9:ClientSecret"] = ClientSecret;
            Settings["Bridge:Clients:9:TokenEndpointAuthMethod"] = authMethod;
            Settings["Bridge:Clients:9:RedirectUris:0"] = AppOrigin + "/signin-oidc";
            Settings["Bridge:Clients:9:PostLogoutRedirectUris:0"] = AppOrigin + "/signout-callback-oidc";
            Settings["Bridge:Clients:9:AllowedScopes:0"] = "openid";
            Settings["Bridge:Clients:9:AllowedScopes:1"] = "profile";
            Settings["Bridge:Clients:9:AllowedScopes:2"] = "wallet";
            Settings["Bridge:Clients:9:AllowedScopes:3"] = "roles";
            Settings["Bridge:Clients:9:AllowedScopes:4"] = "offline_access";
        }
    }

    /// <summary>A web app using the standard handler against <paramref name="bridge"/>, on a test server of its own.</summary>
    private static async Task<WebApplication> StartAppAsync(Bridge bridge)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer(o => o.BaseAddress = new Uri(AppOrigin));
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie()
            .AddOpenIdConnect(o =>
            {
                o.Authority = BridgeFactory.Issuer;
                o.RequireHttpsMetadata = false; // the test bridge is http://localhost
                o.BackchannelHttpHandler = bridge.Server.CreateHandler();
                o.ClientId = ClientId;
                o.ClientSecret = ClientSecret;
                o.ResponseType = "code";
                o.Scope.Add("profile");
                o.Scope.Add("wallet");
                o.Scope.Add("roles");
                o.Scope.Add("offline_access");
                o.SaveTokens = true;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.MapInboundClaims = false;
                o.ClaimActions.MapUniqueJsonKey("xrpl_address", "xrpl_address");
            });
        var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/", async (HttpContext context) =>
        {
            if (context.User.Identity?.IsAuthenticated != true) return Results.Challenge();
            var claims = context.User.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.First().Value);
            claims["has_refresh_token"] = (await context.GetTokenAsync("refresh_token") is { Length: > 0 }).ToString();
            claims["has_access_token"] = (await context.GetTokenAsync("access_token") is { Length: > 0 }).ToString();
            return Results.Json(claims);
        });
        app.MapGet("/logout", () => Results.SignOut(new AuthenticationProperties { RedirectUri = "/bye" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]));
        app.MapGet("/bye", () => "signed out");
        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// One browser across both sites: the app's cookies and the bridge's; follows redirects and submits
    /// <c>form_post</c> pages as a browser's script would; at the bridge's /login it signs in as the driver's wallet.
    /// </summary>
    private sealed class Browser(WebApplication app, OidcDriver bridge)
    {
        private readonly HttpClient _app = new(new CookieContainerHandler(new CookieContainer()) { InnerHandler = app.GetTestServer().CreateHandler() })
        {
            BaseAddress = new Uri(AppOrigin),
        };

        public List<Uri> Visited { get; } = [];

        /// <summary>Opens <paramref name="url"/> and goes where it leads; the last response.</summary>
        public async Task<HttpResponseMessage> OpenAsync(string url)
        {
            var target = new Uri(new Uri(AppOrigin), url);
            var response = await GetAsync(target);
            for (var hop = 0; hop < 20; hop++)
            {
                if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther)
                {
                    var location = response.Headers.Location!;
                    if (!location.IsAbsoluteUri && location.OriginalString.StartsWith("/login?", StringComparison.Ordinal) && target.Host == "localhost")
                    {
                        Visited.Add(new Uri(target, location));
                        response = await bridge.SignInAtLoginAsync(response);
                        continue;
                    }
                    target = new Uri(target, location);
                    response = await GetAsync(target);
                    continue;
                }
                if (response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType == "text/html"
                    && await FormPostAsync(response) is { } posted)
                {
                    (target, response) = posted;
                    continue;
                }
                return response;
            }
            throw new InvalidOperationException("Too many redirects.");
        }

        private Task<HttpResponseMessage> GetAsync(Uri url)
        {
            Visited.Add(url);
            return url.Host == "localhost" ? bridge.Browser.GetAsync(url.PathAndQuery) : _app.GetAsync(url);
        }

        /// <summary>A page holding a form that posts itself (response_mode=form_post): what its script would send.</summary>
        private async Task<(Uri, HttpResponseMessage)?> FormPostAsync(HttpResponseMessage page)
        {
            var document = new HtmlParser().ParseDocument(await page.Content.ReadAsStringAsync());
            var form = document.QuerySelector("form[method=post]");
            if (form?.GetAttribute("action") is not { } action || !Uri.TryCreate(action, UriKind.Absolute, out var url)) return null;
            var fields = form.QuerySelectorAll("input[name]").Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? ""));
            Visited.Add(url);
            Assert.Equal(AppOrigin, url.GetLeftPart(UriPartial.Authority));
            return (url, await _app.PostAsync(url, new FormUrlEncodedContent(fields)));
        }
    }

    [Fact]
    public async Task The_standard_handler_signs_in_with_pkce_and_form_post_and_gets_the_account_claims()
    {
        await using var bridge = new Bridge();
        await using var app = await StartAppAsync(bridge);
        var driver = new OidcDriver(bridge);
        var browser = new Browser(app, driver);

        var home = await browser.OpenAsync("/");

        var claims = await OidcDriver.Json(home, HttpStatusCode.OK);
        var authorize = browser.Visited.First(u => u.AbsolutePath == "/connect/authorize");
        // The handler pushes its request (RFC 9126) when discovery lists pushed_authorization_request_endpoint.
        Assert.StartsWith("urn:ietf:params:oauth:request_uri:", QueryHelpers.ParseQuery(authorize.Query)["request_uri"].ToString());
        var sent = await PushedAuthorizationTests.SentParametersAsync(bridge, authorize.Query);
        Assert.Equal("S256", sent["code_challenge_method"]);
        Assert.Equal("form_post", sent["response_mode"]);
        Assert.Contains(browser.Visited, u => u.AbsoluteUri == AppOrigin + "/signin-oidc");

        var accountId = await bridge.AccountIdOfAsync(driver.Wallet);
        Assert.Equal(accountId, claims.GetProperty("sub").GetString());
        Assert.True(claims.TryGetProperty("auth_time", out _), claims.ToString());
        Assert.Equal(driver.Wallet, claims.GetProperty("xrpl_address").GetString()); // from userinfo
        Assert.False(string.IsNullOrEmpty(claims.GetProperty("sid").GetString()));
        Assert.Equal("True", claims.GetProperty("has_access_token").GetString());
        Assert.Equal("True", claims.GetProperty("has_refresh_token").GetString());
    }

    [Fact]
    public async Task The_standard_handler_signs_out_at_the_bridge_and_comes_back_to_its_callback()
    {
        await using var bridge = new Bridge();
        await using var app = await StartAppAsync(bridge);
        var driver = new OidcDriver(bridge);
        var browser = new Browser(app, driver);
        await OidcDriver.Json(await browser.OpenAsync("/"), HttpStatusCode.OK);

        var bye = await browser.OpenAsync("/logout");

        Assert.Equal(HttpStatusCode.OK, bye.StatusCode);
        Assert.Equal("signed out", await bye.Content.ReadAsStringAsync());
        var endSession = browser.Visited.First(u => u.AbsolutePath == "/connect/endsession");
        var query = QueryHelpers.ParseQuery(endSession.Query);
        Assert.True(query.ContainsKey("id_token_hint"));
        Assert.Equal(AppOrigin + "/signout-callback-oidc", query["post_logout_redirect_uri"].ToString());
        // Back at the handler's sign-out callback with its state, which sent the browser on to /bye.
        Assert.Contains(browser.Visited, u => u.AbsolutePath == "/signout-callback-oidc" && u.Host == "rp.example"
                                              && QueryHelpers.ParseQuery(u.Query)["state"] == query["state"]);
        // The bridge session is over: authorizing again asks the user to sign in.
        var again = await driver.AuthorizeAsync(driver.Params());
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.StartsWith("/login?", again.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_client_registered_for_client_secret_basic_refuses_the_handlers_secret_in_the_body()
    {
        // The handler sends its secret in the request body (client_secret_post): a client registered with the
        // default client_secret_basic must not be authenticated that way (its registered method is the only one).
        await using var bridge = new Bridge(authMethod: "client_secret_basic");
        await using var app = await StartAppAsync(bridge);
        var browser = new Browser(app, new OidcDriver(bridge));

        var failed = await Assert.ThrowsAnyAsync<Exception>(() => browser.OpenAsync("/"));

        Assert.Contains("invalid_client", failed.ToString());
    }
}
