using System.Net;
using IdentityBridge.Accounts;
using IdentityBridge.Admin.Services;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Tests.Provider;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Admin;

/// <summary>
/// Unlinking a wallet ends what was obtained by signing in with it: refresh tokens (offline_access too)
/// and access tokens stop working, while tokens obtained with the account's other wallets live on and
/// assert only the wallets the account still has.
/// </summary>
public sealed class UnlinkWalletTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task Tokens_obtained_with_an_unlinked_wallet_no_longer_refresh_or_reach_userinfo()
    {
        var (unlinked, kept, accountId) = await AccountWithTwoWalletsAsync();
        var lost = await LoginAsync(unlinked);
        var still = await LoginAsync(kept);
        Assert.Equal(unlinked, await XrplAddressAtUserInfoAsync(lost.AccessToken));

        var result = await UnlinkAsync(accountId, unlinked);
        Assert.DoesNotContain(result.Value!.Wallets, w => w.Address == unlinked);

        var driver = new OidcDriver(host);
        await OidcDriver.AssertError(await driver.RefreshAsync(lost.RefreshToken), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(lost.AccessToken)).StatusCode);

        // What the other wallet obtained is untouched, and no longer lists the unlinked wallet.
        var refreshed = await OidcDriver.Json(await driver.RefreshAsync(still.RefreshToken), HttpStatusCode.OK);
        var id = OidcDriver.Jwt(refreshed.GetProperty("id_token").GetString()!);
        Assert.Equal(kept, id.GetPayloadValue<string>("xrpl_address"));
        var info = await OidcDriver.Json(await driver.UserInfoAsync(refreshed.GetProperty("access_token").GetString()!), HttpStatusCode.OK);
        Assert.Equal(kept, info.GetProperty("xrpl_address").GetString());
        Assert.Equal([kept], info.GetProperty("xrpl_addresses").EnumerateArray().Select(a => a.GetString()!).ToArray());

        var audit = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.AccountId == accountId && e.Type == "wallet.unlinked").Select(e => e.Details).SingleAsync());
        Assert.Contains("\"tokenFamiliesRevoked\":1", audit);
    }

    [Fact]
    public async Task An_import_that_takes_a_wallet_away_from_an_account_ends_the_tokens_obtained_with_it()
    {
        var (dropped, kept, accountId) = await AccountWithTwoWalletsAsync();
        var lost = await LoginAsync(dropped);
        var still = await LoginAsync(kept);

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var transfer = scope.ServiceProvider.GetRequiredService<TransferService>();
            var document = await transfer.ExportAsync();
            document.Clients = [];
            document.Accounts = document.Accounts!.Where(a => a.Id == accountId).ToList();
            document.Accounts[0].Wallets!.RemoveAll(w => w.Address == dropped);
            var result = await transfer.ImportAsync(document, "test-admin");
            Assert.True(result.Ok, result.Error?.ToString());
        }

        var driver = new OidcDriver(host);
        await OidcDriver.AssertError(await driver.RefreshAsync(lost.RefreshToken), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(lost.AccessToken)).StatusCode);
        await OidcDriver.Json(await driver.RefreshAsync(still.RefreshToken), HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_import_that_moves_a_wallet_to_another_account_of_the_file_links_it_there_and_ends_its_old_tokens()
    {
        var (moved, kept, from) = await AccountWithTwoWalletsAsync();
        var (other, _, to) = await AccountWithTwoWalletsAsync();
        var lost = await LoginAsync(moved);

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var transfer = scope.ServiceProvider.GetRequiredService<TransferService>();
            var document = await transfer.ExportAsync();
            document.Clients = [];
            document.Accounts = document.Accounts!.Where(a => a.Id == from || a.Id == to).ToList();
            var source = document.Accounts.Single(a => a.Id == from);
            var wallet = source.Wallets!.Single(w => w.Address == moved);
            source.Wallets!.Remove(wallet);
            document.Accounts.Single(a => a.Id == to).Wallets!.Add(wallet);
            var result = await transfer.ImportAsync(document, "test-admin");
            Assert.True(result.Ok, result.Error?.ToString());
            Assert.Equal(2, result.Value!.AccountsUpdated);
        }

        var owners = await host.WithDbAsync(db => db.Wallets.Where(w => w.AccountId == from || w.AccountId == to)
            .Select(w => new { w.Address, w.AccountId }).ToListAsync());
        Assert.Equal([kept], owners.Where(w => w.AccountId == from).Select(w => w.Address));
        Assert.Equal(to, Assert.Single(owners, w => w.Address == moved).AccountId);
        Assert.Contains(owners, w => w.Address == other && w.AccountId == to);
        await OidcDriver.AssertError(await new OidcDriver(host).RefreshAsync(lost.RefreshToken), HttpStatusCode.BadRequest, "invalid_grant");
    }

    private async Task<(string Unlinked, string Kept, string AccountId)> AccountWithTwoWalletsAsync()
    {
        var (first, second) = (TestWallets.New(), TestWallets.New());
        var account = AccountService.NewAccount(host.Clock.GetUtcNow(), "Two wallets");
        account.Wallets.Add(new Wallet { AccountId = account.Id, Address = first, LinkedAt = host.Clock.GetUtcNow() });
        account.Wallets.Add(new Wallet { AccountId = account.Id, Address = second, LinkedAt = host.Clock.GetUtcNow().AddSeconds(1) });
        await host.WithDbAsync(async db =>
        {
            db.Accounts.Add(account);
            await db.SaveChangesAsync();
        });
        return (first, second, account.Id);
    }

    /// <summary>The code flow of the web client, with offline_access (the refresh token outlives the session).</summary>
    private async Task<(string AccessToken, string RefreshToken)> LoginAsync(string wallet)
    {
        var driver = new OidcDriver(host, wallet);
        var json = await driver.LoginAsync(driver.Params(scope: "openid wallet offline_access"));
        return (json.GetProperty("access_token").GetString()!, json.GetProperty("refresh_token").GetString()!);
    }

    private async Task<string?> XrplAddressAtUserInfoAsync(string accessToken)
    {
        var info = await OidcDriver.Json(await new OidcDriver(host).UserInfoAsync(accessToken), HttpStatusCode.OK);
        return info.GetProperty("xrpl_address").GetString();
    }

    private async Task<AdminResult<IdentityBridge.Admin.Contracts.AccountView>> UnlinkAsync(string accountId, string wallet)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<AccountAdminService>().UnlinkWalletAsync(accountId, wallet, "test-admin");
        Assert.True(result.Ok, result.Error?.ToString());
        return result;
    }
}
