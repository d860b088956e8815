using System.Data.Common;
using System.Net;
using IdentityBridge.Provider.Maintenance;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// A revoked grant family yields no usable refresh token, whatever the order in which the revocation and the
/// storing of a family member meet: a member stored after the revocation never refreshes, and the family's
/// revocation marker outlives every member that could still be valid.
/// </summary>
public sealed class FamilyRevocationTests(FamilyRevocationTests.Host host) : IClassFixture<FamilyRevocationTests.Host>
{
    public sealed class Host : ProviderHost
    {
        public Host() => MoreServices = s => s.ConfigureDbContext<BridgeDbContext>(o => o.AddInterceptors(CodeReads));

        public CodeReadHook CodeReads { get; } = new();
    }

    /// <summary>When armed, runs an action just after the next statement that reads an authorization code.</summary>
    public sealed class CodeReadHook : DbCommandInterceptor
    {
        private Func<Task>? _after;

        public void AfterNext(Func<Task> action) => _after = action;

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            if (command.CommandText.StartsWith("SELECT", StringComparison.Ordinal)
                && command.Parameters.Cast<DbParameter>().Any(p => Equals(p.Value, GrantTypes.AuthorizationCode))
                && Interlocked.Exchange(ref _after, null) is { } after)
                await after();
            return result;
        }
    }

    [Fact]
    public async Task A_code_redeemed_by_another_request_after_this_one_read_it_is_refused_and_revokes_what_the_other_got()
    {
        // The code is used up only once every check has passed: between this redemption's read of the code and its
        // redemption, another request redeems the same code. Exactly one of them may get tokens, and since the code
        // was presented twice (RFC 6749 §4.1.2) what that one got is revoked.
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        HttpResponseMessage? other = null;
        host.CodeReads.AfterNext(async () => other = await driver.RedeemAsync(code));

        var late = await OidcDriver.Json(await driver.RedeemAsync(code), HttpStatusCode.BadRequest);

        Assert.Equal("invalid_grant", late.GetProperty("error").GetString());
        Assert.Equal("The code was already used.", late.GetProperty("error_description").GetString());
        Assert.NotNull(other);
        var first = await OidcDriver.Json(other, HttpStatusCode.OK);
        var refresh = first.GetProperty("refresh_token").GetString()!;
        await OidcDriver.AssertError(await driver.RefreshAsync(refresh), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(first.GetProperty("access_token").GetString()!)).StatusCode);
        Assert.False((await IntrospectAsync(driver, refresh)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Of_concurrent_redemptions_of_one_code_the_winner_keeps_no_working_refresh_token()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => driver.RedeemAsync(code)));

        var winner = await OidcDriver.Json(Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK), HttpStatusCode.OK);
        await OidcDriver.AssertError(await driver.RefreshAsync(winner.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(winner.GetProperty("access_token").GetString()!)).StatusCode);
    }

    [Fact]
    public async Task A_refresh_token_stored_after_its_family_was_revoked_neither_refreshes_nor_introspects_as_active()
    {
        var driver = new OidcDriver(host);
        var refresh = (await driver.LoginAsync()).GetProperty("refresh_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await RevokeAsync(driver, refresh)).StatusCode);

        // A rotation that ran alongside the revocation stored its successor after the revocation had updated the
        // family's rows (PostgreSQL, read committed), so the successor's own row says nothing of the revocation.
        var straggler = await StoreStragglerAsync(refresh, TimeSpan.FromDays(14));

        await OidcDriver.AssertError(await driver.RefreshAsync(straggler), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.False((await IntrospectAsync(driver, straggler)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task The_family_marker_is_kept_while_a_member_could_still_be_valid_and_deleted_after()
    {
        var driver = new OidcDriver(host);
        var refresh = (await driver.LoginAsync()).GetProperty("refresh_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await RevokeAsync(driver, refresh)).StatusCode);
        var straggler = await StoreStragglerAsync(refresh, TimeSpan.FromDays(14));
        var family = await FamilyOfAsync(refresh);
        var cleanup = host.Services.GetRequiredService<DatabaseRetention>();

        // Well past the marker's own expiry and the cleanup's grace period, the straggler has not expired yet.
        host.Clock.Advance(GrantStore.MarkerLifetime + DatabaseRetention.GrantGrace + TimeSpan.FromDays(1));
        await cleanup.PurgeAsync(CancellationToken.None);
        Assert.True(await MarkerExistsAsync(family));
        await OidcDriver.AssertError(await driver.RefreshAsync(straggler), HttpStatusCode.BadRequest, "invalid_grant");

        // Once no member can be valid any more, the marker goes with the family.
        host.Clock.Advance(TimeSpan.FromDays(14) + DatabaseRetention.GrantGrace);
        await cleanup.PurgeAsync(CancellationToken.None);
        Assert.False(await MarkerExistsAsync(family));
        Assert.False(await host.WithDbAsync(db => db.Grants.AnyAsync(g => g.FamilyId == family)));
    }

    /// <summary>Stores a refresh token of the family of <paramref name="sibling"/> the way a racing rotation can: not revoked.</summary>
    private async Task<string> StoreStragglerAsync(string sibling, TimeSpan lifetime)
    {
        var handle = TokenHashes.NewHandle();
        var key = TokenHashes.Key(sibling);
        await host.WithDbAsync(async db =>
        {
            var template = await db.Grants.AsNoTracking().SingleAsync(g => g.Key == key);
            var now = host.Clock.GetUtcNow();
            db.Grants.Add(new Grant
            {
                Key = TokenHashes.Key(handle),
                Type = GrantTypes.RefreshToken,
                ClientId = template.ClientId,
                AccountId = template.AccountId,
                SessionId = template.SessionId,
                FamilyId = template.FamilyId,
                CreatedAt = now,
                ExpiresAt = now + lifetime,
                Data = template.Data,
            });
            await db.SaveChangesAsync();
        });
        return handle;
    }

    private Task<string> FamilyOfAsync(string refresh)
    {
        var key = TokenHashes.Key(refresh);
        return host.WithDbAsync(db => db.Grants.Where(g => g.Key == key).Select(g => g.FamilyId!).SingleAsync());
    }

    private Task<bool> MarkerExistsAsync(string family) =>
        host.WithDbAsync(db => db.Grants.AnyAsync(g => g.FamilyId == family && g.Type == GrantTypes.FamilyRevocation));

    private static Task<HttpResponseMessage> RevokeAsync(OidcDriver driver, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/revoke") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
        request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        return driver.Api.SendAsync(request);
    }

    private static async Task<System.Text.Json.JsonElement> IntrospectAsync(OidcDriver driver, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
        request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        return await OidcDriver.Json(await driver.Api.SendAsync(request), HttpStatusCode.OK);
    }
}
