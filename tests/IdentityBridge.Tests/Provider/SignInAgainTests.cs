using System.Net;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// A sign-in in a browser that already has a session (prompt=login, max_age, select_account, another user
/// named by id_token_hint): the same account keeps its session and records the new authentication; another
/// account's session ends as at logout before the new one starts. No session is left behind alive.
/// </summary>
public sealed class SignInAgainTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task Signing_in_again_as_the_same_account_keeps_the_session_and_records_the_new_authentication()
    {
        var driver = new OidcDriver(host);
        var first = OidcDriver.Jwt((await driver.LoginAsync()).GetProperty("id_token").GetString()!);
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        var session = await host.WithDbAsync(db => db.Sessions.SingleAsync(s => s.AccountId == accountId));
        var bound = await host.SessionBoundRefreshTokenAsync(accountId, session);

        host.Clock.Advance(TimeSpan.FromMinutes(10));
        var p = driver.Params();
        p["prompt"] = "login";
        var again = await driver.LoginAsync(p, acr: "2");
        var second = OidcDriver.Jwt(again.GetProperty("id_token").GetString()!);

        Assert.Equal(first.GetPayloadValue<string>("sid"), second.GetPayloadValue<string>("sid"));
        Assert.Equal(host.Clock.GetUtcNow().ToUnixTimeSeconds(), second.GetPayloadValue<long>("auth_time"));
        Assert.True(second.GetPayloadValue<long>("auth_time") >= first.GetPayloadValue<long>("auth_time") + 600);
        Assert.Equal("2", second.GetPayloadValue<string>("acr"));
        var sessions = await host.WithDbAsync(db => db.Sessions.AsNoTracking().Where(s => s.AccountId == accountId).ToListAsync());
        var kept = Assert.Single(sessions);
        Assert.Equal(session.Id, kept.Id);
        Assert.Null(kept.EndedAt);
        Assert.Equal(host.Clock.GetUtcNow().ToUnixTimeSeconds(), kept.AuthTime.ToUnixTimeSeconds());
        Assert.Equal("2", kept.Acr);
        Assert.True(kept.ExpiresAt > session.ExpiresAt);

        // max_age: another login, the same session again.
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        p = driver.Params();
        p["max_age"] = "60";
        var third = OidcDriver.Jwt((await driver.LoginAsync(p)).GetProperty("id_token").GetString()!);
        Assert.Equal(session.Id, third.GetPayloadValue<string>("sid"));
        Assert.Equal(host.Clock.GetUtcNow().ToUnixTimeSeconds(), third.GetPayloadValue<long>("auth_time"));

        // The session-bound refresh token lives on with the session, and ends with its logout, which reaches
        // the session's clients.
        Assert.Equal(HttpStatusCode.OK, (await driver.RefreshAsync(bound)).StatusCode);
        var logout = await driver.Browser.GetAsync(QueryHelpers.AddQueryString("/connect/endsession", "id_token_hint", again.GetProperty("id_token").GetString()!));
        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        await host.BackChannel.WaitForAsync(b => LogoutSid(b) == session.Id, TimeSpan.FromSeconds(30));
        await OidcDriver.AssertError(await driver.RefreshAsync(bound), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Signing_in_as_another_account_ends_the_previous_session_as_a_logout_does()
    {
        var driver = new OidcDriver(host);
        var firstTokens = await driver.LoginAsync();
        var first = OidcDriver.Jwt(firstTokens.GetProperty("id_token").GetString()!);
        var firstAccount = await host.AccountIdOfAsync(driver.Wallet);
        var previous = await host.WithDbAsync(db => db.Sessions.SingleAsync(s => s.AccountId == firstAccount));
        var bound = await host.SessionBoundRefreshTokenAsync(firstAccount, previous);

        // select_account, and the user picks another wallet (another account).
        var p = driver.Params();
        p["prompt"] = "select_account";
        var toLogin = await driver.AuthorizeAsync(p);
        var otherWallet = TestWallets.New();
        var code = OidcDriver.Callback(await driver.SignInAtLoginAsync(toLogin, wallet: otherWallet))["code"];
        var second = OidcDriver.Jwt((await OidcDriver.Json(await driver.RedeemAsync(code), HttpStatusCode.OK)).GetProperty("id_token").GetString()!);

        Assert.NotEqual(first.Subject, second.Subject);
        Assert.NotEqual(previous.Id, second.GetPayloadValue<string>("sid"));
        var ended = await host.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.Id == previous.Id));
        Assert.NotNull(ended.EndedAt);
        Assert.Null(await host.WithDbAsync(db => db.Sessions.AsNoTracking().Where(s => s.Id == second.GetPayloadValue<string>("sid")).Select(s => s.EndedAt).SingleAsync()));

        // As at logout: the previous session's clients are told, its session-bound refresh tokens end, the
        // offline_access ones live on, and the logout is in the audit log.
        var (uri, body) = await host.BackChannel.WaitForAsync(b => LogoutSid(b) == previous.Id, TimeSpan.FromSeconds(30));
        Assert.Equal(TestClients.BackChannel, uri.ToString());
        Assert.Equal(first.Subject, LogoutToken(body)!.Subject);
        await OidcDriver.AssertError(await driver.RefreshAsync(bound), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.OK, (await driver.RefreshAsync(firstTokens.GetProperty("refresh_token").GetString()!)).StatusCode);
        Assert.True(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == "session.logout" && e.AccountId == firstAccount)));

        // The browser is signed in as the second account.
        p = driver.Params();
        p["prompt"] = "none";
        var silent = OidcDriver.Callback(await driver.AuthorizeAsync(p));
        var third = OidcDriver.Jwt((await OidcDriver.Json(await driver.RedeemAsync(silent["code"]), HttpStatusCode.OK)).GetProperty("id_token").GetString()!);
        Assert.Equal(second.Subject, third.Subject);
    }


    private static string? LogoutSid(string body) => LogoutToken(body)?.GetPayloadValue<string>("sid");

    private static JsonWebToken? LogoutToken(string body)
    {
        var form = QueryHelpers.ParseQuery(body);
        return form.TryGetValue("logout_token", out var value) ? new JsonWebToken(value.ToString()) : null;
    }
}
