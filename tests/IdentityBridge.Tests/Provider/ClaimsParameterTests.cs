using System.Net;
using System.Text.Json;
using IdentityBridge.Tests.Infrastructure;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// The <c>claims</c> request parameter (OIDC Core §5.5): individual claims asked for the ID token or for userinfo,
/// released within the scopes the client is allowed and the user consented to; <c>sub</c> with a value (§5.5.1) and an
/// essential <c>acr</c> (§5.5.1.1) bind the login.
/// </summary>
public sealed class ClaimsParameterTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task A_claim_asked_for_the_id_token_is_added_though_its_scope_was_not_asked()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(scope: "openid");
        p["claims"] = """{"id_token":{"xrpl_address":{"essential":true},"kyc_approved":null}}""";

        var tokens = await driver.LoginAsync(p);

        var id = OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!);
        Assert.Equal(driver.Wallet, id.GetPayloadValue<string>("xrpl_address"));
        Assert.True(id.TryGetPayloadValue<bool>("kyc_approved", out _));
        // Only the claims asked for: not the rest of the wallet scope's.
        Assert.False(id.TryGetPayloadValue<string[]>("xrpl_addresses", out _));
        Assert.Equal("openid", tokens.GetProperty("scope").GetString());
        // Asked for the ID token only: userinfo does not return it.
        var info = await OidcDriver.Json(await driver.UserInfoAsync(tokens.GetProperty("access_token").GetString()!), HttpStatusCode.OK);
        Assert.False(info.TryGetProperty("xrpl_address", out _));
    }

    [Fact]
    public async Task A_claim_asked_for_userinfo_is_returned_there_though_its_scope_was_not_asked()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(scope: "openid");
        p["claims"] = """{"userinfo":{"xrpl_address":null,"xrpl_network":{"essential":false}}}""";

        var tokens = await driver.LoginAsync(p);

        var info = await OidcDriver.Json(await driver.UserInfoAsync(tokens.GetProperty("access_token").GetString()!), HttpStatusCode.OK);
        Assert.Equal(driver.Wallet, info.GetProperty("xrpl_address").GetString());
        Assert.Equal("MAINNET", info.GetProperty("xrpl_network").GetString());
        Assert.False(info.TryGetProperty("kyc_approved", out _));
        var id = OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!);
        Assert.False(id.TryGetPayloadValue<string>("xrpl_address", out _));
    }

    [Fact]
    public async Task A_claim_of_a_scope_the_client_is_not_allowed_is_not_released()
    {
        // The admin console is allowed openid, profile and bridge.admin: no wallet, no roles.
        var driver = new OidcDriver(host);
        var p = driver.Params(TestClients.Admin, scope: "openid");
        p["claims"] = """{"id_token":{"xrpl_addresses":{"essential":true},"roles":null,"updated_at":null},"userinfo":{"xrpl_address":null,"roles":null}}""";

        var tokens = await driver.LoginAsync(p, TestClients.Admin, "admin-secret");

        var id = OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!);
        Assert.False(id.TryGetPayloadValue<string[]>("xrpl_addresses", out _));
        Assert.False(id.TryGetPayloadValue<string[]>("roles", out _));
        // A claim of an allowed scope is released.
        Assert.True(id.TryGetPayloadValue<long>("updated_at", out _));
        var info = await OidcDriver.Json(await driver.UserInfoAsync(tokens.GetProperty("access_token").GetString()!), HttpStatusCode.OK);
        Assert.False(info.TryGetProperty("xrpl_address", out _));
        Assert.False(info.TryGetProperty("roles", out _));
    }

    [Fact]
    public async Task A_claim_of_a_scope_the_user_has_not_consented_to_asks_for_consent_first()
    {
        var driver = new OidcDriver(host);
        var first = driver.Params(TestClients.Consent, scope: "openid");
        var resumed = await ConsentTests.DecideAsync(driver, await ConsentTests.ToConsentAsync(driver, first), "allow");
        Assert.True(OidcDriver.Callback(await driver.Browser.GetAsync(resumed.Headers.Location!.OriginalString)).ContainsKey("code"));

        // openid alone is consented to; a wallet claim is not, and is shown on the consent page.
        var p = driver.Params(TestClients.Consent, scope: "openid");
        p["claims"] = """{"userinfo":{"xrpl_address":null}}""";
        var consent = await driver.AuthorizeAsync(p);
        Assert.StartsWith("/consent?", consent.Headers.Location!.OriginalString);
        var html = await (await driver.Browser.GetAsync(consent.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();
        Assert.Contains("XRP Ledger wallet", html);

        var allowed = await ConsentTests.DecideAsync(driver, consent.Headers.Location!.OriginalString, "allow");
        var code = OidcDriver.Callback(await driver.Browser.GetAsync(allowed.Headers.Location!.OriginalString))["code"];
        var tokens = await OidcDriver.Json(await driver.RedeemAsync(code, TestClients.Consent, "third-party-secret"), HttpStatusCode.OK);
        var info = await OidcDriver.Json(await driver.UserInfoAsync(tokens.GetProperty("access_token").GetString()!), HttpStatusCode.OK);
        Assert.Equal(driver.Wallet, info.GetProperty("xrpl_address").GetString());
    }

    public static TheoryData<string> Malformed() =>
    [
        "not json",
        "{\"id_token\":",
        "[]",
        "\"id_token\"",
        """{"id_token":[]}""",
        """{"userinfo":"email"}""",
        """{"userinfo":{"email":true}}""",
        """{"id_token":{"email":{"essential":"yes"}}}""",
        """{"id_token":{"email":{"values":"a"}}}""",
        """{"id_token":{"acr":{"essential":true,"value":2}}}""",
        """{"id_token":{"sub":{"value":7}}}""",
        """{"id_token":{"email":null,"email":null}}""",
        new string('[', 200) + new string(']', 200),
    ];

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_claims_parameter_is_invalid_request_sent_to_the_client(string claims)
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["claims"] = claims;

        var callback = OidcDriver.Callback(await driver.AuthorizeAsync(p));

        Assert.Equal("invalid_request", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);
        Assert.Contains("claims", callback["error_description"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_claims_and_members_are_ignored()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(scope: "openid");
        p["claims"] = """{"id_token":{"given_name":null,"urn:example:custom":{"essential":true,"extra":[1,{"a":2}]},"xrpl_network":{"value":"TESTNET"}},"elsewhere":{"x":1}}""";

        var tokens = await driver.LoginAsync(p);

        var id = OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!);
        Assert.False(id.TryGetPayloadValue<string>("given_name", out _));
        Assert.False(id.TryGetPayloadValue<string>("urn:example:custom", out _));
        // value does not filter a claim other than sub and acr: the network is what the sign-in was on.
        Assert.Equal("MAINNET", id.GetPayloadValue<string>("xrpl_network"));
    }

    [Fact]
    public async Task A_refresh_keeps_the_claims_asked_for()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(scope: "openid offline_access");
        p["claims"] = """{"id_token":{"xrpl_address":null},"userinfo":{"xrpl_network":null}}""";
        var tokens = await driver.LoginAsync(p);

        var refreshed = await OidcDriver.Json(await driver.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.OK);

        var id = OidcDriver.Jwt(refreshed.GetProperty("id_token").GetString()!);
        Assert.Equal(driver.Wallet, id.GetPayloadValue<string>("xrpl_address"));
        var info = await OidcDriver.Json(await driver.UserInfoAsync(refreshed.GetProperty("access_token").GetString()!), HttpStatusCode.OK);
        Assert.Equal("MAINNET", info.GetProperty("xrpl_network").GetString());

        var again = await OidcDriver.Json(await driver.RefreshAsync(refreshed.GetProperty("refresh_token").GetString()!), HttpStatusCode.OK);
        Assert.Equal(driver.Wallet, OidcDriver.Jwt(again.GetProperty("id_token").GetString()!).GetPayloadValue<string>("xrpl_address"));
    }

    [Fact]
    public async Task A_sub_value_for_another_user_is_refused_as_the_id_token_hint_is()
    {
        var alice = new OidcDriver(host);
        var aliceSub = OidcDriver.Jwt((await alice.LoginAsync()).GetProperty("id_token").GetString()!).Subject;
        var bob = new OidcDriver(host);
        await bob.GetCodeAsync(bob.Params());
        var forAlice = JsonSerializer.Serialize(new { id_token = new { sub = new { value = aliceSub } } });

        var p = bob.Params();
        p["claims"] = forAlice;
        p["prompt"] = "none";
        Assert.Equal("login_required", OidcDriver.Callback(await bob.AuthorizeAsync(p))["error"]);
        p.Remove("prompt");
        var login = await bob.AuthorizeAsync(p);
        Assert.StartsWith("/login?", login.Headers.Location!.OriginalString);
        // Bob signs in again, still not Alice: no ID token for another subject (§3.1.2.6).
        var callback = OidcDriver.Callback(await bob.SignInAtLoginAsync(login));
        Assert.Equal("login_required", callback["error"]);
        Assert.False(callback.ContainsKey("code"));

        var own = alice.Params();
        own["claims"] = forAlice;
        own["prompt"] = "none";
        Assert.True(OidcDriver.Callback(await alice.AuthorizeAsync(own)).ContainsKey("code"));
    }

    [Fact]
    public async Task An_essential_acr_the_sign_in_does_not_meet_fails_the_login()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["claims"] = """{"id_token":{"acr":{"essential":true,"values":["urn:example:loa:2","urn:example:loa:3"]}}}""";

        // A sign-in at the default level does not meet it.
        var callback = OidcDriver.Callback(await driver.AuthorizeSignedInAsync(p));
        Assert.Equal("access_denied", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);
        // The session that exists does not meet it either: a silent request needs a new login.
        var silent = new Dictionary<string, string>(p) { ["prompt"] = "none" };
        Assert.Equal("login_required", OidcDriver.Callback(await driver.AuthorizeAsync(silent))["error"]);

        // A sign-in at a level asked for meets it, and the ID token says which.
        var tokens = await OidcDriver.Json(await driver.RedeemAsync(await driver.GetCodeAsync(p, acr: "urn:example:loa:3")), HttpStatusCode.OK);
        Assert.Equal("urn:example:loa:3", OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!).GetPayloadValue<string>("acr"));
        Assert.True(OidcDriver.Callback(await driver.AuthorizeAsync(silent)).ContainsKey("code"));

        // Not essential, it is voluntary, as acr_values is: the login goes on at whatever level it has.
        var voluntary = new OidcDriver(host);
        var q = voluntary.Params();
        q["claims"] = """{"id_token":{"acr":{"values":["urn:example:loa:3"]}}}""";
        Assert.Equal("1", OidcDriver.Jwt((await voluntary.LoginAsync(q)).GetProperty("id_token").GetString()!).GetPayloadValue<string>("acr"));
    }

    [Fact]
    public async Task Discovery_announces_the_claims_parameter()
    {
        var doc = JsonDocument.Parse(await host.CreateApiClient().GetStringAsync("/.well-known/openid-configuration")).RootElement;
        Assert.True(doc.GetProperty("claims_parameter_supported").GetBoolean());
    }

    [Fact]
    public async Task Claims_in_a_signed_request_object_are_honoured_too()
    {
        var driver = new OidcDriver(host);
        var objects = new RequestObjectTests(host);
        var claims = RequestObjects.Claims(host, driver, scope: "openid");
        claims["claims"] = new Dictionary<string, object>
        {
            ["id_token"] = new Dictionary<string, object?> { ["xrpl_address"] = null },
            ["userinfo"] = new Dictionary<string, object?> { ["kyc_approved"] = new { essential = true } },
        };

        var callback = OidcDriver.Callback(await driver.AuthorizeSignedInAsync(RequestObjects.Query(RequestObjects.Sign(claims))));
        var tokens = await objects.RedeemAsync(driver, callback["code"]);

        Assert.Equal(driver.Wallet, OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!).GetPayloadValue<string>("xrpl_address"));
        var info = await OidcDriver.Json(await driver.UserInfoAsync(tokens.GetProperty("access_token").GetString()!), HttpStatusCode.OK);
        Assert.True(info.TryGetProperty("kyc_approved", out _));
    }
}
