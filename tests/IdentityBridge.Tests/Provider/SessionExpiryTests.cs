using System.Net;
using IdentityBridge.Audit;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// A session whose lifetime runs out ends as at logout (Back-Channel Logout 1.0 §2, §2.3: the OP remembers the
/// clients of a session to log them out when it ends, not only when the user logs out): once, by one node; its
/// session-bound refresh tokens are revoked and its clients get a logout token. A session still live, or made live
/// again, is left alone.
/// The job is run by the test on the manual clock (the host leaves its background service out).
/// </summary>
public sealed class SessionExpiryTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    private TimeSpan Lifetime => host.Services.GetRequiredService<IOptions<BridgeOptions>>().Value.Session.Lifetime;

    private Task<int> EndExpiredAsync() => host.Services.GetRequiredService<SessionExpiry>().EndExpiredAsync(CancellationToken.None);

    [Fact]
    public async Task An_expired_session_is_logged_out_at_its_client_once_and_audited()
    {
        var driver = new OidcDriver(host);
        var idToken = OidcDriver.Jwt((await driver.LoginAsync()).GetProperty("id_token").GetString()!);
        var sid = idToken.GetPayloadValue<string>("sid");

        host.Clock.Advance(Lifetime + TimeSpan.FromSeconds(1));
        var events = await host.AuditEventsDuringAsync(async () =>
        {
            await EndExpiredAsync();
            await EndExpiredAsync();
        });

        var (uri, body) = Assert.Single(host.BackChannel.Requests, r => SidOf(r.Body) == sid);
        Assert.Equal(TestClients.BackChannel, uri.ToString());
        var token = await ValidLogoutTokenAsync(body);
        Assert.Equal(idToken.Subject, token.Subject);
        Assert.Equal(sid, token.GetPayloadValue<string>("sid"));

        var session = await host.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sid));
        Assert.NotNull(session.EndedAt);
        var expired = Assert.Single(events, e => e.Type == AuditTypes.SessionExpired && e.Details!.Contains(sid));
        Assert.Equal(session.AccountId, expired.AccountId);
        Assert.Contains(TestClients.Web, expired.Details);
        Assert.DoesNotContain(events, e => e.Type == AuditTypes.Logout && e.Details!.Contains(sid));
    }

    [Fact]
    public async Task A_live_session_is_left_alone()
    {
        var driver = new OidcDriver(host);
        var sid = OidcDriver.Jwt((await driver.LoginAsync()).GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid");

        host.Clock.Advance(Lifetime - TimeSpan.FromMinutes(1));
        await EndExpiredAsync();

        Assert.DoesNotContain(host.BackChannel.Requests, r => SidOf(r.Body) == sid);
        Assert.Null(await host.WithDbAsync(db => db.Sessions.Where(s => s.Id == sid).Select(s => s.EndedAt).SingleAsync()));
        await AssertSignedInAsync(driver);
    }

    [Fact]
    public async Task A_session_signed_in_again_before_it_expired_lives_on()
    {
        var driver = new OidcDriver(host);
        var sid = OidcDriver.Jwt((await driver.LoginAsync()).GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid");
        host.Clock.Advance(Lifetime - TimeSpan.FromMinutes(1));
        var p = driver.Params();
        p["prompt"] = "login";
        Assert.Equal(sid, OidcDriver.Jwt((await driver.LoginAsync(p)).GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid"));

        host.Clock.Advance(TimeSpan.FromMinutes(2));
        await EndExpiredAsync();

        Assert.DoesNotContain(host.BackChannel.Requests, r => SidOf(r.Body) == sid);
        await AssertSignedInAsync(driver);
    }

    [Fact]
    public async Task A_session_extended_after_it_was_found_expired_is_not_ended()
    {
        // The look-up and the end are two statements: the end checks the expiry again, so a session a sign-in made
        // live again in between is not ended (nor its clients told).
        var driver = new OidcDriver(host);
        var sid = OidcDriver.Jwt((await driver.LoginAsync()).GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid");
        var session = await host.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sid));

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await using (var scope = host.Services.CreateAsyncScope())
            Assert.Null(await scope.ServiceProvider.GetRequiredService<SessionService>().ExpireAsync(session.Id, session.AccountId, CancellationToken.None));

        Assert.Null(await host.WithDbAsync(db => db.Sessions.Where(s => s.Id == sid).Select(s => s.EndedAt).SingleAsync()));
        Assert.DoesNotContain(host.BackChannel.Requests, r => SidOf(r.Body) == sid);
        await AssertSignedInAsync(driver);
    }

    [Fact]
    public async Task A_session_the_user_logged_out_of_is_not_logged_out_again_when_it_expires()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var sid = OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid");
        await driver.Browser.GetAsync(QueryHelpers.AddQueryString("/connect/endsession", "id_token_hint", tokens.GetProperty("id_token").GetString()!));
        await host.BackChannel.WaitForAsync(b => SidOf(b) == sid, TimeSpan.FromSeconds(30));

        host.Clock.Advance(Lifetime + TimeSpan.FromSeconds(1));
        var events = await host.AuditEventsDuringAsync(EndExpiredAsync);

        Assert.Single(host.BackChannel.Requests, r => SidOf(r.Body) == sid);
        Assert.DoesNotContain(events, e => e.Type == AuditTypes.SessionExpired && e.Details!.Contains(sid));
    }

    [Fact]
    public async Task An_expired_sessions_refresh_tokens_end_as_at_logout_and_an_offline_one_lives_on()
    {
        // As at logout: the session-bound family is revoked, so an access token it issued is refused too; an
        // offline_access refresh token was granted to outlive the session.
        var driver = new OidcDriver(host);
        var offline = await driver.LoginAsync();
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        var session = await host.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.AccountId == accountId));
        // A session-bound refresh token (no offline_access), as a CIBA sign-in issues one.
        var boundRefresh = await host.SessionBoundRefreshTokenAsync(accountId, session);

        host.Clock.Advance(Lifetime - TimeSpan.FromMinutes(5));
        var fresh = await OidcDriver.Json(await driver.RefreshAsync(boundRefresh), HttpStatusCode.OK);
        var freshAccess = fresh.GetProperty("access_token").GetString()!;
        host.Clock.Advance(TimeSpan.FromMinutes(6));
        await EndExpiredAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(freshAccess)).StatusCode);
        await OidcDriver.AssertError(await driver.RefreshAsync(fresh.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
        var renewed = await OidcDriver.Json(await driver.RefreshAsync(offline.GetProperty("refresh_token").GetString()!), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(renewed.GetProperty("access_token").GetString()!)).StatusCode);
    }

    [Fact]
    public async Task A_backlog_larger_than_a_batch_is_ended_in_one_run()
    {
        // Sessions that expired while no node ran, more than one look-up reads: the run goes on batch after batch.
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        var expiresAt = host.Clock.GetUtcNow() - TimeSpan.FromMinutes(1);
        var ids = Enumerable.Range(0, SessionExpiry.BatchSize + 5).Select(_ => UrlSafe.NewId(16)).ToList();
        await host.WithDbAsync(async db =>
        {
            db.Sessions.AddRange(ids.Select(id => new Storage.Entities.Session
            {
                Id = id, AccountId = "acct-" + id, Wallet = TestWallets.New(), Method = "xumm-oidc",
                AuthTime = expiresAt - Lifetime, LastSeenAt = expiresAt - Lifetime, ExpiresAt = expiresAt,
            }));
            await db.SaveChangesAsync();
        });

        Assert.True(await EndExpiredAsync() >= ids.Count);

        Assert.Equal(0, await host.WithDbAsync(db => db.Sessions.CountAsync(s => ids.Contains(s.Id) && s.EndedAt == null)));
    }

    private async Task<JsonWebToken> ValidLogoutTokenAsync(string body)
    {
        var jwks = new JsonWebKeySet(await host.CreateApiClient().GetStringAsync("/.well-known/jwks.json"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(LogoutToken(body), new TokenValidationParameters
        {
            ValidIssuer = BridgeFactory.Issuer,
            ValidAudience = TestClients.Web,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["logout+jwt"],
            ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.False(token.TryGetPayloadValue<string>("nonce", out _));
        Assert.Equal(System.Text.Json.JsonValueKind.Object,
            token.GetPayloadValue<System.Text.Json.JsonElement>("events").GetProperty(BackChannelLogoutNotifier.EventType).ValueKind);
        return token;
    }

    private async Task AssertSignedInAsync(OidcDriver driver)
    {
        var p = driver.Params();
        p["prompt"] = "none";
        Assert.True(OidcDriver.Callback(await driver.AuthorizeAsync(p)).ContainsKey("code"));
    }

    private static string? LogoutToken(string body) => QueryHelpers.ParseQuery(body).TryGetValue("logout_token", out var t) ? t.ToString() : null;
    private static string? SidOf(string body) => LogoutToken(body) is { } t ? new JsonWebToken(t).GetPayloadValue<string>("sid") : null;
}
