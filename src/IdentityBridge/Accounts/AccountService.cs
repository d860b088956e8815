using IdentityBridge.Audit;
using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Accounts;

/// <summary>What an upstream sign-in proved: a wallet that signed, on a network.</summary>
public sealed record WalletSignIn(string Address, string? Network, bool KycApproved = false, string? DisplayName = null, string? Picture = null);

public enum WalletSignInOutcome
{
    Ok,
    /// <summary>AllowList provisioning and no enrolled account has this wallet.</summary>
    NotEnrolled,
    Disabled,
}

public sealed record WalletSignInResult(WalletSignInOutcome Outcome, Account? Account, bool Created = false);

/// <summary>Maps r-addresses to local accounts: provisioning, linking, roles, status.</summary>
public sealed class AccountService(BridgeDbContext db, TimeProvider time, IOptions<BridgeOptions> options, AuditLog audit)
{
    public const string AdminRole = "bridge-admin";

    /// <summary>The audit actor of changes the bridge makes by itself (provisioning, bootstrap admins).</summary>
    public const string SystemActor = "system";

    /// <summary>
    /// Resolves the account behind a wallet sign-in under <paramref name="provisioning"/>, recording the
    /// sign-in on the wallet. Under AllowList only an enrolled account (or a bootstrap wallet) is admitted;
    /// an account this creates under AutoCreate is not enrolled. Bootstrap wallets receive the admin role
    /// (again, if it was revoked), audited as a grant.
    /// </summary>
    public async Task<WalletSignInResult> SignInAsync(WalletSignIn signIn, ProvisioningMode provisioning, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SignInOnceAsync(signIn, provisioning, ct);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
                // An administrator changed the account between this sign-in's reading and its save (see Account.Version):
                // read it again, so that the sign-in also answers to a status or enrolment changed meanwhile.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<WalletSignInResult> SignInOnceAsync(WalletSignIn signIn, ProvisioningMode provisioning, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var wallet = await db.Wallets.FirstOrDefaultAsync(w => w.Address == signIn.Address, ct);
        Account? account;
        var created = false;
        if (wallet is null)
        {
            if (provisioning == ProvisioningMode.AllowList && !IsBootstrap(signIn.Address))
                return new(WalletSignInOutcome.NotEnrolled, null);
            account = NewAccount(now, signIn.DisplayName ?? ShortAddress(signIn.Address));
            account.Enrolled = false;
            wallet = new Wallet { AccountId = account.Id, Address = signIn.Address, LinkedAt = now };
            account.Wallets.Add(wallet);
            db.Accounts.Add(account);
            created = true;
        }
        else
        {
            account = await db.Accounts.Include(a => a.Roles).FirstAsync(a => a.Id == wallet.AccountId, ct);
            if (!ProvisioningRules.Admits(provisioning, account.Enrolled, signIn.Address, options.Value))
                return new(WalletSignInOutcome.NotEnrolled, null);
        }

        if (account.Status == AccountStatus.Disabled)
            return new(WalletSignInOutcome.Disabled, account);

        wallet.Network = signIn.Network;
        wallet.FirstSignInAt ??= now;
        wallet.LastSignInAt = now;
        account.LastSignInAt = now;
        account.KycApproved = signIn.KycApproved;
        if (signIn.Picture is not null) account.Picture = signIn.Picture;
        // Bridge:Admin:BootstrapWallets gives the role back at every sign-in, also after an admin revoked it
        // (removing the wallet from the list is how to stop that); each time it does, the trail says so.
        var bootstrapGrant = IsBootstrap(signIn.Address) && account.Roles.All(r => r.Role != AdminRole);
        if (bootstrapGrant)
            account.Roles.Add(new AccountRole { AccountId = account.Id, Role = AdminRole });
        await db.SaveChangesAsync(ct);
        if (created)
            await audit.WriteAsync(AuditTypes.AccountCreated, SystemActor, account.Id, details: new { wallet = signIn.Address, network = signIn.Network, via = "sign-in" }, ct: ct);
        if (bootstrapGrant)
            await audit.WriteAsync(AuditTypes.RoleGranted, SystemActor, account.Id,
                details: new { role = AdminRole, wallet = signIn.Address, via = "bootstrap-wallet" }, ct: ct);
        return new(WalletSignInOutcome.Ok, account, created);
    }

    /// <summary>Links another wallet to an account (the user proved control by signing with it).</summary>
    public async Task<LinkResult> LinkWalletAsync(string accountId, string address, string? network, string actor, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await LinkWalletOnceAsync(accountId, address, network, actor, ct);
            }
            catch (DbUpdateException ex) when (attempt < 3 && (ex is DbUpdateConcurrencyException || DatabaseErrors.IsUniqueViolation(ex, "wallets")))
            {
                // The account changed between this link's reading and its save (an administrator's edit raised its
                // version), or the same wallet was linked at the same moment: decide again on what is stored now.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<LinkResult> LinkWalletOnceAsync(string accountId, string address, string? network, string actor, CancellationToken ct)
    {
        var existing = await db.Wallets.FirstOrDefaultAsync(w => w.Address == address, ct);
        if (existing is not null)
            return existing.AccountId == accountId ? LinkResult.AlreadyLinked : LinkResult.LinkedElsewhere;
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) return LinkResult.NoAccount;
        db.Wallets.Add(new Wallet { AccountId = accountId, Address = address, Network = network, LinkedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(AuditTypes.WalletLinked, actor, accountId, details: new { wallet = address, network }, ct: ct);
        return LinkResult.Linked;
    }

    public async Task<bool> IsActiveAsync(string accountId, CancellationToken ct = default) =>
        await db.Accounts.AnyAsync(a => a.Id == accountId && a.Status == AccountStatus.Active, ct);

    public Task<Account?> FindAsync(string accountId, CancellationToken ct = default) =>
        db.Accounts.AsNoTracking().Include(a => a.Roles).Include(a => a.Wallets).FirstOrDefaultAsync(a => a.Id == accountId, ct);

    /// <summary>A new account with a fresh opaque id (not yet saved).</summary>
    public static Account NewAccount(DateTimeOffset now, string? displayName) => new()
    {
        Id = UrlSafe.NewId(16),
        DisplayName = displayName,
        CreatedAt = now,
        UpdatedAt = now,
    };

    private bool IsBootstrap(string address) => options.Value.Admin.BootstrapWallets.Contains(address, StringComparer.Ordinal);

    private static string ShortAddress(string address) => address.Length > 10 ? $"{address[..6]}…{address[^4..]}" : address;
}

public enum LinkResult
{
    Linked,
    AlreadyLinked,
    LinkedElsewhere,
    NoAccount,
}
