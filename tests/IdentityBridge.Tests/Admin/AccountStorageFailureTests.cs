using System.Net;
using IdentityBridge.Accounts;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityBridge.Tests.Admin;

/// <summary>
/// How the admin API answers when saving an account fails: a wallet linked meanwhile by another request
/// is a conflict naming that wallet; any other database failure is a server error, never a conflict.
/// </summary>
public sealed class AccountStorageFailureTests(AccountStorageFailureTests.Host host) : IClassFixture<AccountStorageFailureTests.Host>
{
    private const string Wallet = "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe";

    public sealed class Host : AdminHost
    {
        public Host()
        {
            var services = ConfigureTestServices;
            ConfigureTestServices = s =>
            {
                services?.Invoke(s);
                s.ConfigureDbContext<BridgeDbContext>(o => o.AddInterceptors(Saves));
            };
        }

        public SaveFault Saves { get; } = new();
    }

    /// <summary>When armed, the next save that adds an account fails in the way set.</summary>
    public sealed class SaveFault : SaveChangesInterceptor
    {
        public Func<DbContext, Task>? Next { get; set; }

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
        {
            if (Next is { } fault && eventData.Context is { } context && context.ChangeTracker.Entries<Account>().Any(e => e.State == EntityState.Added))
            {
                Next = null;
                await fault(context);
            }
            return result;
        }
    }

    [Fact]
    public async Task A_database_failure_while_creating_an_account_is_a_server_error_not_a_wallet_conflict()
    {
        var (api, _) = await host.AdminApiAsync();
        host.Saves.Next = _ => throw new DbUpdateException("An error occurred while saving the entity changes.",
            new SqliteException("SQLite Error 5: 'database is locked'.", 5, 5));

        var response = await api.PostAsync("/admin/api/accounts", Json.Body(new { displayName = "Locked out" }));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("linked", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("locked", body, StringComparison.OrdinalIgnoreCase);
        Assert.False(await host.WithDbAsync(db => db.Accounts.AnyAsync(a => a.DisplayName == "Locked out")));
    }

    [Fact]
    public async Task A_wallet_linked_by_another_request_while_creating_an_account_is_a_409_naming_it()
    {
        var (api, _) = await host.AdminApiAsync();
        host.Saves.Next = async _ =>
        {
            // Another request links the wallet between the check and the insert.
            await using var scope = host.Services.CreateAsyncScope();
            var other = scope.ServiceProvider.GetRequiredService<IDbContextFactory<BridgeDbContext>>().CreateDbContext();
            await using (other)
            {
                var account = AccountService.NewAccount(host.Clock.GetUtcNow(), "Faster");
                account.Wallets.Add(new Wallet { AccountId = account.Id, Address = Wallet, LinkedAt = host.Clock.GetUtcNow() });
                other.Accounts.Add(account);
                await other.SaveChangesAsync();
            }
        };

        var response = await api.PostAsync("/admin/api/accounts", Json.Body(new { displayName = "Slower", wallets = new[] { Wallet } }));

        var problem = await Json.ProblemAsync(response, 409);
        Assert.Contains(Wallet, problem.GetProperty("detail").GetString());
        Assert.False(await host.WithDbAsync(db => db.Accounts.AnyAsync(a => a.DisplayName == "Slower")));
    }
}
