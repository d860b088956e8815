using System.Net;
using IdentityBridge.Admin.Services;
using IdentityBridge.Tests.Provider;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.Tests.Admin;

/// <summary>
/// An account's status as administrators change it: disabling (by the API or by an import) ends its sessions
/// with a back-channel logout to their clients; enrolment travels through export and import.
/// </summary>
public sealed class AccountStatusTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Theory]
    [InlineData("disable")]
    [InlineData("delete")]
    public async Task Disabling_or_deleting_an_account_sends_a_back_channel_logout_to_the_clients_of_its_sessions(string change)
    {
        var driver = new OidcDriver(host);
        var sid = await SignedInSidAsync(driver);
        var accountId = await host.AccountIdOfAsync(driver.Wallet);

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<AccountAdminService>();
            if (change == "disable")
            {
                var result = await accounts.SetEnabledAsync(accountId, false, "test-admin");
                Assert.True(result.Ok, result.Error?.ToString());
                Assert.Equal(1, result.Value!.SessionsEnded);
            }
            else
            {
                var result = await accounts.DeleteAsync(accountId, "test-admin");
                Assert.True(result.Ok, result.Error?.ToString());
            }
        }

        var (uri, _) = await host.BackChannel.WaitForAsync(body => LogoutSid(body) == sid, TimeSpan.FromSeconds(30));
        Assert.Equal(TestClients.BackChannel, uri.ToString());
    }

    [Fact]
    public async Task Revoking_a_session_ends_its_tokens_and_sends_a_back_channel_logout_to_its_clients()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var sid = OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid");
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(accessToken)).StatusCode);

        // What the admin API (DELETE /admin/api/sessions/{id}) and the console call.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<SessionAdminService>().RevokeAsync(sid, "test-admin");
            Assert.True(result.Ok, result.Error?.ToString());
            Assert.False(result.Value!.Active);
        }

        await OidcDriver.AssertError(await driver.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(accessToken)).StatusCode);
        var (uri, _) = await host.BackChannel.WaitForAsync(body => LogoutSid(body) == sid, TimeSpan.FromSeconds(30));
        Assert.Equal(TestClients.BackChannel, uri.ToString());
    }

    [Fact]
    public async Task Revoking_a_session_the_user_logged_out_of_still_revokes_its_offline_access_tokens()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var sid = OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid");
        var session = await host.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sid));
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = scope.ServiceProvider };
            await scope.ServiceProvider.GetRequiredService<IdentityBridge.Provider.Sessions.SessionService>().LogoutAsync(context, session);
        }
        // The logout leaves the offline_access refresh token alive, as the user granted it to outlive the session.
        var refreshed = await OidcDriver.Json(await driver.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.OK);
        var accessToken = refreshed.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(accessToken)).StatusCode);

        // An administrator revokes the ended session: what was issued in it goes, offline_access included.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<SessionAdminService>().RevokeAsync(sid, "test-admin");
            Assert.True(result.Ok, result.Error?.ToString());
            Assert.False(result.Value!.Active);
        }

        await OidcDriver.AssertError(await driver.RefreshAsync(refreshed.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(accessToken)).StatusCode);
        Assert.True(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == "session.revoked" && e.Details!.Contains(sid))));
    }

    [Fact]
    public async Task Access_tokens_of_a_disabled_account_stay_refused_once_it_is_enabled_again()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(accessToken)).StatusCode);

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<AccountAdminService>();
            Assert.True((await accounts.SetEnabledAsync(accountId, false, "test-admin")).Ok);
            Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(accessToken)).StatusCode);
            Assert.True((await accounts.SetEnabledAsync(accountId, true, "test-admin")).Ok);
        }

        // Disabling ended the sessions and revoked the grants these tokens came from: enabling gives back neither.
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(accessToken)).StatusCode);
        await OidcDriver.AssertError(await driver.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task An_import_that_disables_an_account_ends_its_sessions_and_refresh_tokens_as_the_api_does()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var sid = OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid");
        var accountId = await host.AccountIdOfAsync(driver.Wallet);

        await ImportAsync(accountId, a => a.Enabled = false);

        Assert.NotNull(await host.WithDbAsync(db => db.Sessions.Where(s => s.Id == sid).Select(s => s.EndedAt).SingleAsync()));
        Assert.Equal(0, await host.WithDbAsync(db => db.Grants.CountAsync(g => g.AccountId == accountId && g.Type == "refresh_token" && g.RevokedAt == null)));
        await host.BackChannel.WaitForAsync(body => LogoutSid(body) == sid, TimeSpan.FromSeconds(30));
        // Enabled again, the account does not get its refresh token back.
        await ImportAsync(accountId, a => a.Enabled = true);
        await OidcDriver.AssertError(await driver.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Enrolment_is_exported_and_an_import_sets_it_or_leaves_it_when_the_file_says_nothing()
    {
        var driver = new OidcDriver(host);
        await driver.LoginAsync();
        var accountId = await host.AccountIdOfAsync(driver.Wallet);

        // The sign-in created the account: not enrolled, and the export says so.
        Assert.False((await ExportedAsync(accountId)).Enrolled);
        await ImportAsync(accountId, a => a.Enrolled = null);
        Assert.False(await EnrolledAsync(accountId));
        await ImportAsync(accountId, a => a.Enrolled = true);
        Assert.True(await EnrolledAsync(accountId));
        Assert.True((await ExportedAsync(accountId)).Enrolled);
        await ImportAsync(accountId, a => a.Enrolled = false);
        Assert.False(await EnrolledAsync(accountId));
    }

    private async Task<string> SignedInSidAsync(OidcDriver driver)
    {
        var tokens = await driver.LoginAsync();
        return OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid");
    }

    private Task<bool> EnrolledAsync(string accountId) =>
        host.WithDbAsync(db => db.Accounts.Where(a => a.Id == accountId).Select(a => a.Enrolled).SingleAsync());

    private async Task<IdentityBridge.Admin.Contracts.AccountExport> ExportedAsync(string accountId)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var document = await scope.ServiceProvider.GetRequiredService<TransferService>().ExportAsync();
        return document.Accounts!.Single(a => a.Id == accountId);
    }

    /// <summary>Imports the account as exported, changed by <paramref name="change"/>, and nothing else.</summary>
    private async Task ImportAsync(string accountId, Action<IdentityBridge.Admin.Contracts.AccountExport> change)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var transfer = scope.ServiceProvider.GetRequiredService<TransferService>();
        var document = await transfer.ExportAsync();
        document.Clients = [];
        document.Accounts = document.Accounts!.Where(a => a.Id == accountId).ToList();
        change(document.Accounts[0]);
        var result = await transfer.ImportAsync(document, "test-admin");
        Assert.True(result.Ok, result.Error?.ToString());
    }

    private static string? LogoutSid(string body) =>
        QueryHelpers.ParseQuery(body).TryGetValue("logout_token", out var value) && new JsonWebToken(value.ToString()).TryGetPayloadValue<string>("sid", out var sid)
            ? sid
            : null;
}
