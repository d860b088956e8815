using System.Text.Json.Serialization;

namespace IdentityBridge.Admin.Contracts;

/// <summary>A new account: profile, roles and wallets.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class AccountInput
{
    public string? DisplayName { get; set; }
    public string? Email { get; set; }
    public bool? EmailVerified { get; set; }
    public List<string>? Roles { get; set; }
    public List<string>? Wallets { get; set; }
}

/// <summary>An account's profile (full update: omitted fields are cleared).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class AccountProfileInput
{
    public string? DisplayName { get; set; }
    public string? Email { get; set; }
    public bool? EmailVerified { get; set; }
}

public sealed record AccountView(
    string Id,
    string? DisplayName,
    string? Email,
    bool EmailVerified,
    bool Enabled,
    bool Enrolled,
    bool KycApproved,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastSignInAt,
    IReadOnlyList<string> Roles,
    IReadOnlyList<WalletView> Wallets)
{
    /// <summary>The account's entity tag, which the API answers with in <c>ETag</c> rather than in the body.</summary>
    [JsonIgnore] public string ETag { get; init; } = "";
}

public sealed record WalletView(string Address, string? Network, DateTimeOffset LinkedAt, DateTimeOffset? FirstSignInAt, DateTimeOffset? LastSignInAt);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class RoleInput
{
    public string? Role { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class WalletInput
{
    public string? Address { get; set; }
    public string? Network { get; set; }
}

/// <summary>A change of an account's status: enabled, enrolled, or both (at least one).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class AccountStatusPatch
{
    public bool? Enabled { get; set; }
    /// <summary>Whether clients under AllowList provisioning admit the account.</summary>
    public bool? Enrolled { get; set; }
}

/// <summary>What disabling an account ended.</summary>
public sealed record AccountStatusChanged(AccountView Account, int SessionsEnded, int RefreshTokensRevoked);

public sealed record SessionView(
    string Id,
    string AccountId,
    string Wallet,
    string? Network,
    string Method,
    DateTimeOffset AuthTime,
    DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? EndedAt,
    bool Active,
    string? RemoteIp,
    string? UserAgent,
    IReadOnlyList<string> Clients);
