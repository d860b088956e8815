using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

public sealed class ClaimsTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task Id_token_carries_the_core_claims_and_a_correct_at_hash()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        var tokens = await driver.LoginAsync(p, acr: "urn:example:loa:2");
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var id = await ValidateAsync(tokens.GetProperty("id_token").GetString()!, "JWT");
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        var session = await host.WithDbAsync(db => db.Sessions.SingleAsync(s => s.AccountId == accountId));

        Assert.Equal("RS256", id.Alg);
        Assert.Equal(BridgeFactory.Issuer, id.Issuer);
        Assert.Equal([TestClients.Web], id.Audiences);
        Assert.Equal(accountId, id.Subject);
        Assert.Equal(p["nonce"], id.GetPayloadValue<string>("nonce"));
        Assert.Equal(session.AuthTime.ToUnixTimeSeconds(), id.GetPayloadValue<long>("auth_time"));
        Assert.Equal(session.Id, id.GetPayloadValue<string>("sid"));
        Assert.Equal("urn:example:loa:2", id.GetPayloadValue<string>("acr"));
        Assert.Contains("xumm-oidc", id.GetPayloadValue<string[]>("amr"));
        Assert.Equal(300, id.GetPayloadValue<long>("exp") - id.GetPayloadValue<long>("iat"));
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(accessToken));
        Assert.Equal(Base64UrlEncoder.Encode(hash[..16]), id.GetPayloadValue<string>("at_hash"));

        var other = new OidcDriver(host);
        var plain = await ValidateAsync((await other.LoginAsync()).GetProperty("id_token").GetString()!, "JWT");
        Assert.Equal("1", plain.GetPayloadValue<string>("acr"));
    }

    [Fact]
    public async Task Access_token_is_an_rfc9068_jwt()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        await host.WithDbAsync(async db =>
        {
            db.AccountRoles.Add(new AccountRole { AccountId = accountId, Role = "auditor" });
            await db.SaveChangesAsync();
        });
        var tokens = await OidcDriver.Json(await driver.RedeemAsync(code), HttpStatusCode.OK);
        var at = await ValidateAsync(tokens.GetProperty("access_token").GetString()!, "at+jwt");
        Assert.Equal(BridgeFactory.Issuer, at.Issuer);
        Assert.Equal(accountId, at.Subject);
        Assert.Equal([TestClients.Web], at.Audiences);
        Assert.Equal(TestClients.Web, at.GetPayloadValue<string>("client_id"));
        Assert.Equal("openid profile email wallet roles offline_access", at.GetPayloadValue<string>("scope"));
        Assert.False(string.IsNullOrEmpty(at.Id));
        Assert.Equal(900, at.GetPayloadValue<long>("exp") - at.GetPayloadValue<long>("iat"));
        Assert.True(at.TryGetPayloadValue<long>("auth_time", out _));
        Assert.True(at.TryGetPayloadValue<string>("sid", out _));
        Assert.Equal(["auditor"], at.GetPayloadValue<string[]>("roles"));
        Assert.Equal(driver.Wallet, at.GetPayloadValue<string>("xrpl_address"));
    }

    [Fact]
    public async Task Resource_parameter_sets_the_audience_when_allowed()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["resource"] = TestClients.Resource;
        var tokens = await driver.LoginAsync(p);
        Assert.Equal([TestClients.Resource], OidcDriver.Jwt(tokens.GetProperty("access_token").GetString()!).Audiences);

        p = driver.Params();
        p["resource"] = "https://unknown.example";
        Assert.Equal("invalid_target", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
    }

    [Fact]
    public async Task Es256_client_gets_an_es256_id_token()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync(driver.Params(TestClients.Es256), TestClients.Es256, "es256-secret");
        var id = await ValidateAsync(tokens.GetProperty("id_token").GetString()!, "JWT");
        Assert.Equal("ES256", id.Alg);
        Assert.Equal("RS256", OidcDriver.Jwt(tokens.GetProperty("access_token").GetString()!).Alg);
    }

    [Fact]
    public async Task Userinfo_releases_the_same_claims_as_the_id_token_per_scope()
    {
        var driver = new OidcDriver(host);
        var second = TestWallets.New();
        var code = await driver.GetCodeAsync(driver.Params(scope: "openid profile email wallet roles"));
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        await host.WithDbAsync(async db =>
        {
            var account = await db.Accounts.FirstAsync(a => a.Id == accountId);
            account.DisplayName = "Alice";
            account.Email = "alice@example.com";
            account.EmailVerified = true;
            account.Picture = "https://img.example/alice.png";
            account.KycApproved = true;
            db.AccountRoles.Add(new AccountRole { AccountId = accountId, Role = "manager" });
            db.Wallets.Add(new Wallet { AccountId = accountId, Address = second, LinkedAt = DateTimeOffset.UtcNow.AddDays(1) });
            await db.SaveChangesAsync();
        });
        var tokens = await OidcDriver.Json(await driver.RedeemAsync(code), HttpStatusCode.OK);
        var id = OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!);
        var userinfo = await OidcDriver.Json(await driver.UserInfoAsync(tokens.GetProperty("access_token").GetString()!), HttpStatusCode.OK);

        Assert.Equal("Alice", userinfo.GetProperty("name").GetString());
        Assert.Equal("alice@example.com", userinfo.GetProperty("email").GetString());
        Assert.True(userinfo.GetProperty("email_verified").GetBoolean());
        Assert.Equal(driver.Wallet, userinfo.GetProperty("xrpl_address").GetString());
        Assert.Equal([driver.Wallet, second], userinfo.GetProperty("xrpl_addresses").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("MAINNET", userinfo.GetProperty("xrpl_network").GetString());
        Assert.True(userinfo.GetProperty("kyc_approved").GetBoolean());
        Assert.Equal(["manager"], userinfo.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        foreach (var claim in userinfo.EnumerateObject())
            Assert.Equal(Normalize(claim.Value), Normalize(IdClaim(id, claim.Name)));

        var narrow = new OidcDriver(host, driver.Wallet);
        var openidOnly = await narrow.LoginAsync(narrow.Params(scope: "openid"));
        var minimal = await OidcDriver.Json(await narrow.UserInfoAsync(openidOnly.GetProperty("access_token").GetString()!), HttpStatusCode.OK);
        Assert.Equal(["sub"], minimal.EnumerateObject().Select(p => p.Name));
        var minimalId = OidcDriver.Jwt(openidOnly.GetProperty("id_token").GetString()!);
        Assert.False(minimalId.TryGetPayloadValue<string>("name", out _));
        Assert.False(minimalId.TryGetPayloadValue<string>("email", out _));
    }

    [Fact]
    public async Task Xumm_synthetic_email_is_never_released()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params(scope: "openid email"));
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == accountId)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.Email, $"{BridgeFactory.XummApiKey}+{driver.Wallet}@xumm.me")));
        var tokens = await OidcDriver.Json(await driver.RedeemAsync(code), HttpStatusCode.OK);
        Assert.False(OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!).TryGetPayloadValue<string>("email", out _));
        var userinfo = await OidcDriver.Json(await driver.UserInfoAsync(tokens.GetProperty("access_token").GetString()!), HttpStatusCode.OK);
        Assert.False(userinfo.TryGetProperty("email", out _));
        Assert.False(userinfo.TryGetProperty("email_verified", out _));
    }

    [Fact]
    public async Task Pairwise_client_sees_a_stable_subject_that_is_not_the_account_id()
    {
        var driver = new OidcDriver(host);
        var first = await driver.LoginAsync(driver.Params(TestClients.Pairwise), TestClients.Pairwise, "pairwise-secret");
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        var sub = OidcDriver.Jwt(first.GetProperty("id_token").GetString()!).Subject;
        Assert.NotEqual(accountId, sub);
        Assert.Equal(43, sub.Length);
        Assert.Equal(sub, OidcDriver.Jwt(first.GetProperty("access_token").GetString()!).Subject);
        Assert.DoesNotContain(accountId, Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(first.GetProperty("access_token").GetString()!.Split('.')[1])));
        var userinfo = await OidcDriver.Json(await driver.UserInfoAsync(first.GetProperty("access_token").GetString()!), HttpStatusCode.OK);
        Assert.Equal(sub, userinfo.GetProperty("sub").GetString());

        var again = new OidcDriver(host, driver.Wallet);
        var second = await again.LoginAsync(again.Params(TestClients.Pairwise), TestClients.Pairwise, "pairwise-secret");
        Assert.Equal(sub, OidcDriver.Jwt(second.GetProperty("id_token").GetString()!).Subject);
        var web = await again.LoginAsync();
        Assert.Equal(accountId, OidcDriver.Jwt(web.GetProperty("id_token").GetString()!).Subject);
    }

    [Fact]
    public async Task Userinfo_accepts_the_form_field_and_refuses_missing_duplicate_and_non_user_tokens()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var viaForm = await driver.Api.PostAsync("/connect/userinfo", new FormUrlEncodedContent(new Dictionary<string, string> { ["access_token"] = accessToken }));
        Assert.Equal(HttpStatusCode.OK, viaForm.StatusCode);

        var missing = await driver.Api.GetAsync("/connect/userinfo");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);

        var both = new HttpRequestMessage(HttpMethod.Post, "/connect/userinfo") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["access_token"] = accessToken }) };
        both.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        Assert.Equal(HttpStatusCode.BadRequest, (await driver.Api.SendAsync(both)).StatusCode);

        var garbage = await driver.UserInfoAsync("not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        Assert.Contains("error=\"invalid_token\"", garbage.Headers.WwwAuthenticate.ToString());

        var idAsAccess = await driver.UserInfoAsync(tokens.GetProperty("id_token").GetString()!);
        Assert.Equal(HttpStatusCode.Unauthorized, idAsAccess.StatusCode);

        var clientToken = await OidcDriver.Json(await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(clientToken.GetProperty("access_token").GetString()!)).StatusCode);

        var profileOnly = new OidcDriver(host, driver.Wallet);
        var noOpenId = await profileOnly.LoginAsync(profileOnly.Params(scope: "profile"));
        Assert.Equal(HttpStatusCode.Forbidden, (await driver.UserInfoAsync(noOpenId.GetProperty("access_token").GetString()!)).StatusCode);

        host.Clock.Advance(TimeSpan.FromSeconds(901));
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(accessToken)).StatusCode);
    }

    private async Task<JsonWebToken> ValidateAsync(string token, string type)
    {
        var jwks = new JsonWebKeySet(await host.CreateApiClient().GetStringAsync("/.well-known/jwks.json"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = BridgeFactory.Issuer,
            ValidateAudience = false,
            ValidateLifetime = false,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = [type],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }

    private static JsonElement IdClaim(JsonWebToken id, string name)
    {
        var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(id.EncodedPayload)).RootElement;
        Assert.True(payload.TryGetProperty(name, out var value), $"ID token lacks {name}");
        return value.Clone();
    }

    private static string Normalize(JsonElement value) => value.GetRawText();
}
