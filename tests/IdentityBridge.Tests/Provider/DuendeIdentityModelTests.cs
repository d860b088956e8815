using System.Net;
using System.Security.Claims;
using Duende.IdentityModel.Client;
using Duende.IdentityModel.OidcClient;
using Duende.IdentityModel.OidcClient.Browser;
using Duende.IdentityModel.OidcClient.Results;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// Interoperability with Duende's IdentityModel client libraries, which .NET services and native apps use:
/// discovery under its strict default policy, client credentials, introspection and revocation
/// (<c>Duende.IdentityModel</c>), and a native app's login, refresh, userinfo and logout with a loopback
/// redirect (<c>Duende.IdentityModel.OidcClient</c>). Their code builds and checks every request and answer;
/// ours only carries the browser's redirects.
/// </summary>
public sealed class DuendeIdentityModelTests
{
    private const string NativeClient = "native-app";
    private const string Callback = "http://127.0.0.1:53682/callback";
    private const string LoggedOut = "http://127.0.0.1:53682/logged-out";

    private sealed class Bridge : ProviderHost
    {
        public Bridge()
        {
            Settings["Bridge:Clients:9:ClientId"] = NativeClient;
            Settings["Bridge:Clients:9:ClientType"] = "public";
            Settings["Bridge:Clients:9:RedirectUris:0"] = "http://127.0.0.1/callback";
            Settings["Bridge:Clients:9:PostLogoutRedirectUris:0"] = LoggedOut;
            Settings["Bridge:Clients:9:AllowedScopes:0"] = "openid";
            Settings["Bridge:Clients:9:AllowedScopes:1"] = "profile";
            Settings["Bridge:Clients:9:AllowedScopes:2"] = "wallet";
            Settings["Bridge:Clients:9:AllowedScopes:3"] = "offline_access";
        }
    }

    /// <summary>The system browser of a native app: goes through the bridge (signing in at /login) until it is sent to the app.</summary>
    private sealed class SystemBrowser(OidcDriver bridge) : IBrowser
    {
        public List<string> Started { get; } = [];

        public async Task<BrowserResult> InvokeAsync(BrowserOptions options, CancellationToken cancellationToken = default)
        {
            Started.Add(options.StartUrl);
            var start = new Uri(options.StartUrl);
            Assert.Equal("localhost", start.Host);
            var response = await bridge.Browser.GetAsync(start.PathAndQuery, cancellationToken);
            for (var hop = 0; hop < 10 && response.StatusCode == HttpStatusCode.Redirect; hop++)
            {
                var location = response.Headers.Location!.OriginalString;
                if (location.StartsWith(options.EndUrl, StringComparison.Ordinal))
                    return new BrowserResult { ResultType = BrowserResultType.Success, Response = location };
                response = location.StartsWith("/login?", StringComparison.Ordinal)
                    ? await bridge.SignInAtLoginAsync(response)
                    : await bridge.Browser.GetAsync(location, cancellationToken);
            }
            return new BrowserResult { ResultType = BrowserResultType.UnknownError, Error = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}" };
        }
    }

    /// <summary>ID token signatures checked with Microsoft's handler against the keys OidcClient discovered.</summary>
    private sealed class SignatureValidator : IIdentityTokenValidator
    {
        public async Task<IdentityTokenValidationResult> ValidateAsync(string identityToken, OidcClientOptions options, CancellationToken cancellationToken = default)
        {
            var keys = new Microsoft.IdentityModel.Tokens.JsonWebKeySet(System.Text.Json.JsonSerializer.Serialize(options.ProviderInformation.KeySet));
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(identityToken, new TokenValidationParameters
            {
                ValidIssuer = options.ProviderInformation.IssuerName,
                ValidAudience = options.ClientId,
                IssuerSigningKeys = keys.GetSigningKeys(),
                ValidAlgorithms = ["RS256", "ES256"],
            });
            if (!result.IsValid) return new IdentityTokenValidationResult { Error = result.Exception?.Message ?? "invalid" };
            return new IdentityTokenValidationResult
            {
                User = new ClaimsPrincipal(new ClaimsIdentity(((JsonWebToken)result.SecurityToken).Claims, "oidc")),
                SignatureAlgorithm = ((JsonWebToken)result.SecurityToken).Alg,
            };
        }
    }

    private static OidcClient NativeApp(Bridge bridge, SystemBrowser browser) => new(new OidcClientOptions
    {
        Authority = BridgeFactory.Issuer,
        ClientId = NativeClient,
        RedirectUri = Callback,
        PostLogoutRedirectUri = LoggedOut,
        Scope = "openid profile wallet offline_access",
        Browser = browser,
        BackchannelHandler = bridge.Server.CreateHandler(),
        IdentityTokenValidator = new SignatureValidator(),
    });

    [Fact]
    public async Task A_native_app_logs_in_with_a_loopback_redirect_refreshes_reads_userinfo_and_logs_out()
    {
        await using var bridge = new Bridge();
        var driver = new OidcDriver(bridge);
        var browser = new SystemBrowser(driver);
        var app = NativeApp(bridge, browser);

        var login = await app.LoginAsync(new LoginRequest());

        Assert.False(login.IsError, login.Error);
        var accountId = await bridge.AccountIdOfAsync(driver.Wallet);
        Assert.Equal(accountId, login.User.FindFirst("sub")?.Value);
        Assert.Equal(driver.Wallet, login.User.FindFirst("xrpl_address")?.Value);
        Assert.False(string.IsNullOrEmpty(login.RefreshToken));
        // OidcClient pushes its request (RFC 9126) when discovery lists pushed_authorization_request_endpoint.
        var authorize = await PushedAuthorizationTests.SentParametersAsync(bridge, new Uri(browser.Started[0]).Query);
        Assert.Equal("S256", authorize["code_challenge_method"]);

        var refreshed = await app.RefreshTokenAsync(login.RefreshToken);
        Assert.False(refreshed.IsError, refreshed.Error);
        Assert.NotEqual(login.RefreshToken, refreshed.RefreshToken); // rotated

        var userInfo = await app.GetUserInfoAsync(refreshed.AccessToken);
        Assert.False(userInfo.IsError, userInfo.Error);
        Assert.Equal(accountId, userInfo.Claims.First(c => c.Type == "sub").Value);

        var logout = await app.LogoutAsync(new LogoutRequest { IdTokenHint = login.IdentityToken });
        Assert.False(logout.IsError, logout.Error);
        Assert.StartsWith(LoggedOut, logout.Response);
        var again = await driver.AuthorizeAsync(driver.Params());
        Assert.StartsWith("/login?", again.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_refresh_token_used_twice_ends_the_native_apps_tokens()
    {
        await using var bridge = new Bridge();
        var driver = new OidcDriver(bridge);
        var app = NativeApp(bridge, new SystemBrowser(driver));
        var login = await app.LoginAsync(new LoginRequest());
        Assert.False(login.IsError, login.Error);
        var refreshed = await app.RefreshTokenAsync(login.RefreshToken);
        Assert.False(refreshed.IsError, refreshed.Error);

        // The rotated-out token presented again (stolen, or replayed): refused, and the family it belongs to is
        // revoked, so the tokens the legitimate refresh returned stop working too (RFC 9700 §4.14.2).
        var reused = await app.RefreshTokenAsync(login.RefreshToken);
        Assert.Equal("invalid_grant", reused.Error);
        Assert.True((await app.GetUserInfoAsync(refreshed.AccessToken)).IsError);
        Assert.Equal("invalid_grant", (await app.RefreshTokenAsync(refreshed.RefreshToken)).Error);
    }

    [Fact]
    public async Task A_service_discovers_under_the_strict_policy_gets_a_token_introspects_and_revokes_it()
    {
        await using var bridge = new Bridge();
        using var http = new HttpClient(bridge.Server.CreateHandler());

        var disco = await http.GetDiscoveryDocumentAsync(BridgeFactory.Issuer);
        Assert.False(disco.IsError, disco.Error);
        Assert.NotEmpty(disco.KeySet!.Keys);

        var token = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = TestClients.Web,
            ClientSecret = TestClients.WebSecret,
        });
        Assert.False(token.IsError, token.Error);
        Assert.Equal("Bearer", token.TokenType);

        var active = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint,
            ClientId = TestClients.Web,
            ClientSecret = TestClients.WebSecret,
            Token = token.AccessToken!,
        });
        Assert.False(active.IsError, active.Error);
        Assert.True(active.IsActive);
        Assert.Equal(TestClients.Web, active.Claims.First(c => c.Type == "client_id").Value);

        var revoked = await http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = disco.RevocationEndpoint,
            ClientId = TestClients.Web,
            ClientSecret = TestClients.WebSecret,
            Token = token.AccessToken!,
            TokenTypeHint = "access_token",
        });
        Assert.False(revoked.IsError, revoked.Error);
        var after = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint,
            ClientId = TestClients.Web,
            ClientSecret = TestClients.WebSecret,
            Token = token.AccessToken!,
        });
        Assert.False(after.IsActive);

        var wrongSecret = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = TestClients.Web,
            ClientSecret = "not-the-secret",
        });
        // The library reports a 401 as an HTTP error; the body is still the RFC 6749 §5.2 error.
        Assert.True(wrongSecret.IsError);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.HttpStatusCode);
        Assert.Contains("\"invalid_client\"", wrongSecret.Raw);
    }
}
