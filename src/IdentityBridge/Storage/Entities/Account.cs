namespace IdentityBridge.Storage.Entities;

/// <summary>A local account: the stable subject the bridge issues tokens for.</summary>
public sealed class Account
{
    /// <summary>Opaque, stable, never reused. This is the <c>sub</c> of public subject clients.</summary>
    public required string Id { get; set; }
    public string? DisplayName { get; set; }
    /// <summary>Set by an admin or the user; never taken from Xumm's synthetic address.</summary>
    public string? Email { get; set; }
    public bool EmailVerified { get; set; }
    public string? Picture { get; set; }
    public AccountStatus Status { get; set; } = AccountStatus.Active;
    public bool KycApproved { get; set; }
    /// <summary>
    /// True when an administrator admitted the account: created or imported it, or linked one of its
    /// wallets. An account a sign-in created on its own (AutoCreate provisioning) is not enrolled, so
    /// clients that provision by AllowList refuse it until an administrator enrols it.
    /// </summary>
    public bool Enrolled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }
    /// <summary>
    /// Optimistic concurrency token: raised by every save that changes the account, its roles or its wallets (see
    /// <see cref="Storage.BridgeDbContext"/>), so of two edits made from the same reading only the first is stored.
    /// </summary>
    public long Version { get; set; }

    public List<AccountRole> Roles { get; set; } = [];
    public List<Wallet> Wallets { get; set; } = [];
}

public enum AccountStatus
{
    Active = 0,
    Disabled = 1,
}

public sealed class AccountRole
{
    public required string AccountId { get; set; }
    public required string Role { get; set; }
}

/// <summary>An XRP Ledger r-address linked to an account.</summary>
public sealed class Wallet
{
    public long Id { get; set; }
    public required string AccountId { get; set; }
    public required string Address { get; set; }
    /// <summary>The network of the most recent sign-in with this wallet (MAINNET, TESTNET, ...).</summary>
    public string? Network { get; set; }
    public DateTimeOffset LinkedAt { get; set; }
    public DateTimeOffset? FirstSignInAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }
}
