using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Storage;

/// <summary>
/// The bridge's database. The same model runs on SQLite and PostgreSQL; the schema comes from the
/// hand-written migrations in <c>Storage/Migrations</c>, which name every table and column the way
/// <see cref="OnModelCreating"/> maps them (snake_case, instants as Unix milliseconds).
/// </summary>
public sealed class BridgeDbContext(DbContextOptions<BridgeDbContext> options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<AccountRole> AccountRoles => Set<AccountRole>();
    public DbSet<Wallet> Wallets => Set<Wallet>();
    public DbSet<Client> Clients => Set<Client>();
    public DbSet<ClientSecret> ClientSecrets => Set<ClientSecret>();
    public DbSet<Grant> Grants => Set<Grant>();
    public DbSet<Consent> Consents => Set<Consent>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<SessionClient> SessionClients => Set<SessionClient>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<UserToken> UserTokens => Set<UserToken>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<SignInRequest> SignInRequests => Set<SignInRequest>();

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RaiseClientVersions();
        foreach (var id in AccountsChangedUnread()) Accounts.Find(id);
        RaiseAccountVersions();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RaiseClientVersions();
        foreach (var id in AccountsChangedUnread()) await Accounts.FindAsync([id], cancellationToken);
        RaiseAccountVersions();
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// A client whose settings or secrets this save changes gets the next <see cref="Client.Version"/>; the update
    /// is conditional on the version it was read with, so an edit made concurrently from the same reading (two
    /// secret rotations, each expiring the old secret and adding its own) fails with
    /// <see cref="DbUpdateConcurrencyException"/> instead of silently merging. Counted from the original value, so
    /// saving again after a failure does not skip a number.
    /// </summary>
    private void RaiseClientVersions()
    {
        HashSet<string>? secretsChanged = null;
        foreach (var entry in ChangeTracker.Entries<ClientSecret>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                (secretsChanged ??= new HashSet<string>(StringComparer.Ordinal)).Add(entry.Entity.ClientId);
        }
        foreach (var entry in ChangeTracker.Entries<Client>())
        {
            var changed = entry.State == EntityState.Modified
                || (entry.State == EntityState.Unchanged && secretsChanged?.Contains(entry.Entity.ClientId) == true);
            if (changed) entry.Property(c => c.Version).CurrentValue = entry.Property(c => c.Version).OriginalValue + 1;
        }
    }

    /// <summary>
    /// An account whose profile, status, roles or wallets this save changes gets the next <see cref="Account.Version"/>,
    /// conditional on the version it was read with, as <see cref="RaiseClientVersions"/> does for clients. The record
    /// a sign-in keeps (<see cref="SignInRecord"/>: when, on which network, the KYC flag and picture the platform
    /// sent) is not an edit made from a reading and raises nothing: sign-ins of one account at the same moment (a user
    /// on two devices, a shared service wallet) would otherwise refuse each other, and an administrator's tag would go
    /// stale at every sign-in. Such a save is still conditional on the version read, so it never overwrites an edit
    /// saved meanwhile (the sign-in reads the account again).
    /// </summary>
    private void RaiseAccountVersions()
    {
        var changed = AccountsWithChangedParts();
        foreach (var entry in ChangeTracker.Entries<Account>())
        {
            var raise = (entry.State == EntityState.Modified && entry.Properties.Any(p => p.IsModified && !SignInRecord.Contains(p.Metadata.Name)))
                || (entry.State == EntityState.Unchanged && changed?.Contains(entry.Entity.Id) == true);
            if (raise) entry.Property(a => a.Version).CurrentValue = entry.Property(a => a.Version).OriginalValue + 1;
        }
    }

    /// <summary>
    /// Accounts whose roles or wallets this save changes but that were not read in this context (a wallet linked,
    /// or signed in with, by its id alone): they are read before the save, so that their version is raised too.
    /// </summary>
    private List<string> AccountsChangedUnread()
    {
        var changed = AccountsWithChangedParts();
        if (changed is null) return [];
        foreach (var entry in ChangeTracker.Entries<Account>()) changed.Remove(entry.Entity.Id);
        return [.. changed];
    }

    /// <summary>
    /// The properties of an account or a wallet that only a sign-in writes (see <see cref="RaiseAccountVersions"/>);
    /// no administrator's change sets them.
    /// </summary>
    private static readonly HashSet<string> SignInRecord = new(StringComparer.Ordinal)
    {
        nameof(Account.LastSignInAt), nameof(Account.KycApproved), nameof(Account.Picture),
        nameof(Wallet.Network), nameof(Wallet.FirstSignInAt), nameof(Wallet.LastSignInAt),
    };

    /// <summary>
    /// The accounts a role or wallet of which this save adds, changes or removes (a moved wallet: both), not counting a
    /// wallet whose sign-in record alone changed.
    /// </summary>
    private HashSet<string>? AccountsWithChangedParts()
    {
        HashSet<string>? changed = null;
        foreach (var entry in ChangeTracker.Entries<AccountRole>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                (changed ??= new HashSet<string>(StringComparer.Ordinal)).Add(entry.Entity.AccountId);
        }
        foreach (var entry in ChangeTracker.Entries<Wallet>())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            if (entry.State == EntityState.Modified && entry.Properties.All(p => !p.IsModified || SignInRecord.Contains(p.Metadata.Name))) continue;
            (changed ??= new HashSet<string>(StringComparer.Ordinal)).Add(entry.Entity.AccountId);
            if (entry.State == EntityState.Modified) changed.Add(entry.Property(w => w.AccountId).OriginalValue);
        }
        return changed;
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Instants are stored as Unix milliseconds: portable, sortable and comparable on both providers
        // (SQLite cannot compare DateTimeOffset values in queries).
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<AccountStatus>().HaveConversion<string>();
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Account>(e =>
        {
            e.ToTable("accounts");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.DisplayName).HasMaxLength(200);
            e.Property(x => x.Email).HasMaxLength(320);
            e.Property(x => x.Picture).HasMaxLength(2048);
            e.Property(x => x.Status).HasMaxLength(16);
            e.HasIndex(x => x.Email);
            e.HasIndex(x => x.DisplayName);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasMany(x => x.Roles).WithOne().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(x => x.Wallets).WithOne().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<AccountRole>(e =>
        {
            e.ToTable("account_roles");
            e.HasKey(x => new { x.AccountId, x.Role });
            e.Property(x => x.Role).HasMaxLength(100);
            e.HasIndex(x => x.Role);
        });
        b.Entity<Wallet>(e =>
        {
            e.ToTable("wallets");
            e.HasKey(x => x.Id);
            e.Property(x => x.Address).HasMaxLength(40);
            e.Property(x => x.Network).HasMaxLength(32);
            e.HasIndex(x => x.Address).IsUnique();
            e.HasIndex(x => x.AccountId);
        });
        b.Entity<Client>(e =>
        {
            e.ToTable("clients");
            e.HasKey(x => x.ClientId);
            e.Property(x => x.ClientId).HasMaxLength(200);
            e.Property(x => x.ClientName).HasMaxLength(200);
            e.Property(x => x.ClientType).HasMaxLength(16);
            e.Property(x => x.TokenEndpointAuthMethod).HasMaxLength(32);
            e.Property(x => x.IdTokenSigningAlg).HasMaxLength(16);
            e.Property(x => x.SubjectType).HasMaxLength(16);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasMany(x => x.Secrets).WithOne().HasForeignKey(x => x.ClientId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ClientSecret>(e =>
        {
            e.ToTable("client_secrets");
            e.HasKey(x => x.Id);
            e.Property(x => x.Hash).HasMaxLength(128);
            e.HasIndex(x => x.ClientId);
        });
        b.Entity<Grant>(e =>
        {
            e.ToTable("grants");
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasMaxLength(64);
            e.Property(x => x.Type).HasMaxLength(32);
            e.Property(x => x.FamilyId).HasMaxLength(64);
            e.Property(x => x.SessionId).HasMaxLength(64);
            e.HasIndex(x => new { x.FamilyId, x.Type });
            e.HasIndex(x => x.AccountId);
            e.HasIndex(x => x.SessionId);
            e.HasIndex(x => x.ExpiresAt);
        });
        b.Entity<Consent>(e =>
        {
            e.ToTable("consents");
            e.HasKey(x => new { x.AccountId, x.ClientId });
        });
        b.Entity<Session>(e =>
        {
            e.ToTable("sessions");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
            e.HasIndex(x => x.AccountId);
            e.HasIndex(x => x.ExpiresAt);
            e.HasMany(x => x.Clients).WithOne().HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<SessionClient>(e =>
        {
            e.ToTable("session_clients");
            e.HasKey(x => new { x.SessionId, x.ClientId });
        });
        b.Entity<SigningKey>(e =>
        {
            e.ToTable("signing_keys");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
        });
        b.Entity<DataProtectionKey>(e =>
        {
            e.ToTable("data_protection_keys");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.FriendlyName).IsUnique();
        });
        b.Entity<AuditEvent>(e =>
        {
            e.ToTable("audit_events");
            e.HasKey(x => x.Id);
            e.Property(x => x.Type).HasMaxLength(64);
            e.HasIndex(x => x.Time);
            e.HasIndex(x => x.AccountId);
            e.HasIndex(x => x.ClientId);
            e.HasIndex(x => x.Type);
        });
        b.Entity<UserToken>(e =>
        {
            e.ToTable("user_tokens");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasIndex(x => new { x.AccountId, x.Wallet });
            e.HasIndex(x => x.ExpiresAt);
        });
        b.Entity<WebhookDelivery>(e =>
        {
            e.ToTable("webhook_deliveries");
            e.HasKey(x => x.ReferenceCallUuid);
            e.HasIndex(x => x.PayloadUuid);
            e.HasIndex(x => x.ReceivedAt);
        });
        b.Entity<SignInRequest>(e =>
        {
            e.ToTable("signin_requests");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.PayloadUuid);
            e.HasIndex(x => x.ExpiresAt);
        });

        SnakeCaseNames.Apply(b);
    }
}
