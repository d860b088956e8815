using System.Net;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Provider.Grants;
using IdentityBridge.Tests.Infrastructure;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.Tests.SignIn;

public sealed class XAppTests
{
    [Fact]
    public async Task Opening_the_xapp_page_resolves_the_one_time_token_and_starts_a_session()
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        var ott = host.Simulator.IssueXAppOneTimeToken(BridgeFactory.XummApiKey, wallet, "TESTNET");
        var browser = host.CreateBrowser();

        using var response = await browser.GetAsync("/xapp?xAppToken=" + ott + "&returnUrl=%2Faccount%3Ftab%3Dwallets");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account?tab=wallets", response.Headers.Location!.OriginalString);
        var session = Assert.Single(await host.WithDbAsync(db => db.Sessions.AsNoTracking().ToListAsync()));
        Assert.Equal(wallet, session.Wallet);
        Assert.Equal("TESTNET", session.Network);
        Assert.Equal(PayloadSignInMethods.XApp, session.Method);
        var token = Assert.Single(await host.WithDbAsync(db => db.UserTokens.AsNoTracking().ToListAsync()));
        Assert.Equal(wallet, token.Wallet);

        // A one-time token works once.
        using var replay = await host.CreateBrowser().GetAsync("/xapp?xAppToken=" + ott);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Single(await host.WithDbAsync(db => db.Sessions.ToListAsync()));
    }

    [Fact]
    public async Task An_xapp_token_of_another_wallet_does_not_replace_the_session_of_a_signed_in_browser()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var mine = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(browser, mine);
        var theirs = XrplAddress.CreateRandom();
        var ott = host.Simulator.IssueXAppOneTimeToken(BridgeFactory.XummApiKey, theirs, "MAINNET");

        using var response = await browser.GetAsync("/xapp?xAppToken=" + ott + "&returnUrl=%2Faccount");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("/connect/endsession", page, StringComparison.Ordinal);
        var session = Assert.Single(await host.WithDbAsync(db => db.Sessions.AsNoTracking().ToListAsync()));
        Assert.Equal(mine, session.Wallet);
        var account = await browser.GetStringAsync("/account");
        Assert.Contains(mine, account, StringComparison.Ordinal);
        Assert.DoesNotContain(theirs, account, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_xapp_token_of_the_signed_in_account_continues_as_before()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(browser, wallet);
        var ott = host.Simulator.IssueXAppOneTimeToken(BridgeFactory.XummApiKey, wallet, "MAINNET");

        using var response = await browser.GetAsync("/xapp?xAppToken=" + ott + "&returnUrl=%2Faccount");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_wallet_xumm_reports_as_blocked_is_refused_like_at_the_xumm_sign_in()
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        host.Simulator.BlockAccount(wallet);
        var ott = host.Simulator.IssueXAppOneTimeToken(BridgeFactory.XummApiKey, wallet, "MAINNET");

        using var response = await host.CreateBrowser().GetAsync("/xapp?xAppToken=" + ott + "&returnUrl=%2Faccount");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Wallet refused", page, StringComparison.Ordinal);
        Assert.Contains("This wallet is on a blocklist", page, StringComparison.Ordinal);
        Assert.Empty(await host.WithDbAsync(db => db.Sessions.ToListAsync()));
        Assert.Empty(await host.WithDbAsync(db => db.Wallets.Where(w => w.Address == wallet).ToListAsync()));
        Assert.Empty(await host.WithDbAsync(db => db.UserTokens.Where(t => t.Wallet == wallet).ToListAsync()));
        var failed = Assert.Single(await host.AuditAsync(IdentityBridge.Audit.AuditTypes.SignInFailed));
        Assert.Equal("blocked", failed.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("%20")]
    [InlineData("%09%20")]
    [InlineData("..")]
    [InlineData("%2E")]
    public async Task A_missing_or_unknown_one_time_token_ends_on_an_error_page(string ott)
    {
        await using var host = new SignInHost();
        using var response = await host.CreateBrowser().GetAsync("/xapp?xAppToken=" + ott);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("xApp sign-in failed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await host.WithDbAsync(db => db.Sessions.ToListAsync()));
    }

    [Fact]
    public async Task Token_exchange_turns_a_good_xapp_jwt_into_bridge_tokens()
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        var jwt = Jwt(host, wallet);

        var answer = await ExchangeAsync(host, jwt, scope: "openid wallet");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(TokenExchangeTypes.AccessToken, answer.Json.GetProperty("issued_token_type").GetString());
        Assert.Equal("Bearer", answer.Json.GetProperty("token_type").GetString());
        var access = new JsonWebToken(answer.Json.GetProperty("access_token").GetString());
        var accountId = await host.WithDbAsync(db => db.Wallets.Where(w => w.Address == wallet).Select(w => w.AccountId).SingleAsync());
        Assert.Equal(accountId, access.Subject);
        Assert.Equal(wallet, access.GetPayloadValue<string>("xrpl_address"));
        Assert.Contains("xapp", access.GetPayloadValue<string[]>("amr"));
        Assert.Equal(SignInHost.XAppClient, access.GetPayloadValue<string>("client_id"));
        Assert.True(answer.Json.TryGetProperty("id_token", out _));
    }

    [Fact]
    public async Task Token_exchange_checks_its_parameters_and_the_client()
    {
        await using var host = new SignInHost();
        var jwt = Jwt(host, XrplAddress.CreateRandom());

        Assert.Equal("invalid_request", (await ExchangeAsync(host, jwt, subjectType: "urn:ietf:params:oauth:token-type:jwt")).Error);
        Assert.Equal("invalid_request", (await ExchangeAsync(host, jwt, extra: new() { ["actor_token"] = jwt, ["actor_token_type"] = TokenExchangeTypes.XAppJwt })).Error);
        Assert.Equal("invalid_scope", (await ExchangeAsync(host, jwt, scope: "openid email")).Error);
        Assert.Equal("invalid_target", (await ExchangeAsync(host, jwt, extra: new() { ["audience"] = "https://elsewhere.example" })).Error);
        var other = await CibaTests.PostAsync(host.CreateApiClient(), "/connect/token", SignInHost.WebClient, SignInHost.WebSecret, new()
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
            ["subject_token"] = jwt,
            ["subject_token_type"] = TokenExchangeTypes.XAppJwt,
        });
        Assert.Equal("unauthorized_client", other.Error);
    }

    [Fact]
    public async Task Token_exchange_answers_several_audiences_with_invalid_target()
    {
        await using var host = new SignInHost();
        var jwt = Jwt(host, XrplAddress.CreateRandom());
        var body = "grant_type=" + Uri.EscapeDataString("urn:ietf:params:oauth:grant-type:token-exchange")
            + "&subject_token=" + Uri.EscapeDataString(jwt)
            + "&subject_token_type=" + Uri.EscapeDataString(TokenExchangeTypes.XAppJwt)
            + "&audience=" + SignInHost.XAppClient + "&audience=" + Uri.EscapeDataString("https://api.example");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(SignInHost.XAppClient + ":" + SignInHost.XAppSecret)));

        using var response = await host.CreateApiClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("invalid_target", json.GetProperty("error").GetString());
    }

    internal static string Jwt(SignInHost host, string wallet, DateTimeOffset? issuedAt = null) =>
        XAppJwt.Create(new XAppJwtDescriptor
        {
            ApiKey = BridgeFactory.XummApiKey,
            Account = wallet,
            IssuedAt = issuedAt ?? host.Clock.GetUtcNow(),
            UserToken = Guid.NewGuid().ToString(),
        }, BridgeFactory.XummApiSecret);

    /// <summary>Changes the account in the payload and keeps the old signature.</summary>
    internal static string Tamper(string jwt)
    {
        var parts = jwt.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1]));
        var other = XrplAddress.CreateRandom();
        var doc = System.Text.Json.Nodes.JsonNode.Parse(payload)!;
        doc["sub"] = other;
        doc["account"] = other;
        parts[1] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(doc.ToJsonString());
        return string.Join('.', parts);
    }

    internal static string Unsigned(string jwt)
    {
        var parts = jwt.Split('.');
        return Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
    }

    internal static Task<CibaTests.Answer> ExchangeAsync(SignInHost host, string jwt, string? scope = null, string subjectType = TokenExchangeTypes.XAppJwt,
        Dictionary<string, string>? extra = null)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
            ["subject_token"] = jwt,
            ["subject_token_type"] = subjectType,
        };
        if (scope is not null) form["scope"] = scope;
        foreach (var (key, value) in extra ?? []) form[key] = value;
        return CibaTests.PostAsync(host.CreateApiClient(), "/connect/token", SignInHost.XAppClient, SignInHost.XAppSecret, form);
    }
}
