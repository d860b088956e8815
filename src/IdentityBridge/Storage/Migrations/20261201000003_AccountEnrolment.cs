using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityBridge.Storage.Migrations;

/// <summary>
/// Schema version 3: <c>accounts.enrolled</c>, whether an administrator admitted the account (AllowList
/// provisioning is checked against it at every sign-in and authorization, not only when a wallet is first
/// seen). Accounts that a sign-in created, as the audit trail records them, start out not enrolled unless an
/// administrator later linked a wallet to them; every other account was created by an administrator or an
/// import and is.
/// </summary>
[DbContext(typeof(BridgeDbContext))]
[Migration("20261201000003_AccountEnrolment")]
public sealed class AccountEnrolment : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.AddColumn<bool>("enrolled", "accounts", nullable: false, defaultValue: true);
        // An administrator's wallet.linked (actor other than the account itself, which links its own wallets
        // when the user signs in with another) admitted the account as the runtime rule does.
        m.Sql("UPDATE accounts SET enrolled = FALSE WHERE id IN "
              + "(SELECT account_id FROM audit_events WHERE type = 'account.created' AND actor = 'system' AND account_id IS NOT NULL) "
              + "AND id NOT IN (SELECT account_id FROM audit_events WHERE type = 'wallet.linked' AND account_id IS NOT NULL AND actor <> account_id);");
    }

    protected override void Down(MigrationBuilder m) => m.DropColumn("enrolled", "accounts");
}
