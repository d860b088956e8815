using System.Text.Json.Serialization;

namespace IdentityBridge.Admin.Contracts;

/// <summary>
/// The export / import file: clients (with secret hashes, never secrets) and accounts with roles and
/// wallets. Holds no timestamp of its own, so exporting what was imported yields the same bytes.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ExportDocument
{
    public const string FormatName = "identitybridge-export";
    public const int CurrentVersion = 1;

    public string? Format { get; set; } = FormatName;
    public int? Version { get; set; } = CurrentVersion;
    public List<ClientExport>? Clients { get; set; } = [];
    public List<AccountExport>? Accounts { get; set; } = [];
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ClientExport : ClientInput
{
    [JsonPropertyOrder(1)] public DateTimeOffset? CreatedAt { get; set; }
    /// <summary>SHA-256 hashes of the client's secrets, so an import restores them without knowing them.</summary>
    [JsonPropertyOrder(1)] public List<SecretExport>? Secrets { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SecretExport
{
    public string? Hash { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class AccountExport
{
    public string? Id { get; set; }
    public string? DisplayName { get; set; }
    public string? Email { get; set; }
    public bool? EmailVerified { get; set; }
    public bool? Enabled { get; set; }
    /// <summary>Whether AllowList clients admit the account. Omitted: a new account is enrolled, an existing one keeps its enrolment.</summary>
    public bool? Enrolled { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public List<string>? Roles { get; set; }
    public List<WalletExport>? Wallets { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class WalletExport
{
    public string? Address { get; set; }
    public string? Network { get; set; }
    public DateTimeOffset? LinkedAt { get; set; }
}

public sealed record ImportSummary(int ClientsCreated, int ClientsUpdated, int AccountsCreated, int AccountsUpdated, int Unchanged);
