using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityBridge.Storage.Migrations;

/// <summary>
/// Schema version 6: <c>accounts.version</c>, the account's optimistic concurrency token, as
/// <c>clients.version</c> is the client's. Every change to an account, its roles or its wallets raises it, a
/// change read at an older version is refused, and the admin API's entity tags are made from it, so an
/// administrator's edit made from a stale reading no longer silently replaces another one.
/// </summary>
[DbContext(typeof(BridgeDbContext))]
[Migration("20261202000006_AccountVersion")]
public sealed class AccountVersion : Migration
{
    protected override void Up(MigrationBuilder m) => m.AddColumn<long>("version", "accounts", nullable: false, defaultValue: 0L);

    protected override void Down(MigrationBuilder m) => m.DropColumn("version", "accounts");
}
