using System.Text.RegularExpressions;
using IdentityBridge.Accounts;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Audit;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Admin.Services;

/// <summary>Filters for the account search; every filter is optional and they combine with AND.</summary>
public sealed record AccountQuery(string? Q = null, string? Address = null, string? Name = null, string? Email = null, string? Role = null, bool? Enabled = null,
    bool? Enrolled = null);

/// <summary>Local accounts: profile, status, roles, wallets. Shared by the admin API, CLI and console.</summary>
public sealed partial class AccountAdminService(
    BridgeDbContext db,
    TimeProvider time,
    AuditLog audit,
    AccountService accounts,
    SessionService sessionService,
    BackChannelLogoutNotifier backChannel,
    GrantStore grants)
{
    public const string RefreshTokenGrant = "refresh_token";
    private const string WalletsTable = "wallets";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")]
    private static partial Regex RolePattern();

    public static bool IsValidRole(string? role) => role is not null && RolePattern().IsMatch(role);

    public async Task<ResultPage<AccountView>> SearchAsync(AccountQuery q, PageRequest page, CancellationToken ct = default)
    {
        var query = db.Accounts.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q.Q))
        {
            var raw = q.Q.Trim();
            var s = raw.ToLowerInvariant();
            query = query.Where(a => a.Id == raw
                || (a.DisplayName != null && a.DisplayName.ToLower().Contains(s))
                || (a.Email != null && a.Email.ToLower().Contains(s))
                || a.Wallets.Any(w => w.Address.Contains(raw)));
        }
        if (!string.IsNullOrWhiteSpace(q.Address))
        {
            var address = q.Address.Trim();
            query = query.Where(a => a.Wallets.Any(w => w.Address.Contains(address)));
        }
        if (!string.IsNullOrWhiteSpace(q.Name))
        {
            var name = q.Name.Trim().ToLowerInvariant();
            query = query.Where(a => a.DisplayName != null && a.DisplayName.ToLower().Contains(name));
        }
        if (!string.IsNullOrWhiteSpace(q.Email))
        {
            var email = q.Email.Trim().ToLowerInvariant();
            query = query.Where(a => a.Email != null && a.Email.ToLower().Contains(email));
        }
        if (!string.IsNullOrWhiteSpace(q.Role))
        {
            var role = q.Role.Trim();
            query = query.Where(a => a.Roles.Any(r => r.Role == role));
        }
        if (q.Enabled is { } enabled)
        {
            var status = enabled ? AccountStatus.Active : AccountStatus.Disabled;
            query = query.Where(a => a.Status == status);
        }
        if (q.Enrolled is { } enrolled)
            query = query.Where(a => a.Enrolled == enrolled);
        var total = await query.CountAsync(ct);
        var items = await query.Include(a => a.Roles).Include(a => a.Wallets).AsSplitQuery()
            .OrderByDescending(a => a.CreatedAt).ThenBy(a => a.Id)
            .Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new ResultPage<AccountView>(items.Select(ToView).ToList(), page.Page, page.PageSize, total);
    }

    public async Task<AdminResult<AccountView>> GetAsync(string accountId, CancellationToken ct = default) =>
        await LoadAsync(accountId, tracking: false, ct) is { } account ? ToView(account) : AdminError.NotFound("Account", accountId);

    /// <summary>Finds an account by id or by one of its wallets' r-address (for people typing at a terminal).</summary>
    public async Task<string?> ResolveIdAsync(string idOrAddress, CancellationToken ct = default)
    {
        if (await db.Accounts.AnyAsync(a => a.Id == idOrAddress, ct)) return idOrAddress;
        return await db.Wallets.Where(w => w.Address == idOrAddress).Select(w => w.AccountId).FirstOrDefaultAsync(ct);
    }

    public async Task<AdminResult<AccountView>> CreateAsync(AccountInput input, string actor, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        ValidateProfile(input.DisplayName, input.Email, errors);
        var roles = input.Roles ?? [];
        for (var i = 0; i < roles.Count; i++)
            if (!IsValidRole(roles[i])) errors.Add($"roles[{i}]", RoleMessage);
        var wallets = input.Wallets ?? [];
        for (var i = 0; i < wallets.Count; i++)
            if (!XrplAddress.IsValid(wallets[i])) errors.Add($"wallets[{i}]", WalletMessage);
        if (wallets.Distinct(StringComparer.Ordinal).Count() != wallets.Count) errors.Add("wallets", "lists a wallet twice");
        if (errors.Any) return AdminError.Invalid(errors);
        var taken = await db.Wallets.Where(w => wallets.Contains(w.Address)).Select(w => w.Address).ToListAsync(ct);
        if (taken.Count > 0) return WalletTaken(taken[0]);

        var now = time.GetUtcNow();
        var account = AccountService.NewAccount(now, Clean(input.DisplayName));
        account.Email = Clean(input.Email);
        account.EmailVerified = input.EmailVerified ?? false;
        account.Roles.AddRange(roles.Distinct(StringComparer.Ordinal).Select(r => new AccountRole { AccountId = account.Id, Role = r }));
        account.Wallets.AddRange(wallets.Select(w => new Wallet { AccountId = account.Id, Address = w, LinkedAt = now }));
        db.Accounts.Add(account);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex, WalletsTable))
        {
            // Linked by another request since the check above. Any other failure is a server error, not a conflict.
            db.ChangeTracker.Clear();
            var linked = await db.Wallets.Where(w => wallets.Contains(w.Address)).Select(w => w.Address).ToListAsync(ct);
            return WalletTaken(linked.FirstOrDefault() ?? wallets[0]);
        }
        var view = ToView(account);
        await audit.WriteAsync(AuditTypes.AccountCreated, actor, account.Id, details: new { after = view }, ct: ct);
        return view;
    }

    public async Task<AdminResult<AccountView>> UpdateProfileAsync(string accountId, AccountProfileInput input, string actor, IfMatch? ifMatch = null,
        CancellationToken ct = default)
    {
        var account = await LoadAsync(accountId, tracking: true, ct);
        if (account is null) return AdminError.NotFound("Account", accountId);
        if (Unmet(ifMatch, account) is { } unmet) return unmet;
        var errors = new FieldErrors();
        ValidateProfile(input.DisplayName, input.Email, errors);
        if (errors.Any) return AdminError.Invalid(errors);
        var before = ToView(account);
        account.DisplayName = Clean(input.DisplayName);
        account.Email = Clean(input.Email);
        account.EmailVerified = account.Email is not null && (input.EmailVerified ?? false);
        account.UpdatedAt = time.GetUtcNow();
        if (!await TrySaveEditAsync(ct)) return await LostAsync(accountId, ifMatch, _ => false, ct);
        var after = ToView(account);
        await audit.WriteAsync(AuditTypes.AccountUpdated, actor, accountId, details: new { before, after }, ct: ct);
        return after;
    }

    /// <summary>
    /// Changes an account's status: whether it is enabled (<see cref="SetEnabledAsync"/>) and whether it is enrolled
    /// (<see cref="SetEnrolledAsync"/>); either may be null, not both. Both are one change of the account as read here,
    /// saved at once under one new version: a change saved by another request meanwhile refuses all of it, so that
    /// one is never left applied without the other. What disabling ended is in the result. With
    /// <paramref name="ifMatch"/>, an account whose entity tag it does not name is left as it is.
    /// </summary>
    public async Task<AdminResult<AccountStatusChanged>> SetStatusAsync(string accountId, bool? enabled, bool? enrolled, string actor, IfMatch? ifMatch = null,
        CancellationToken ct = default)
    {
        if (enabled is null && enrolled is null) return AdminError.Invalid("enabled", "enabled or enrolled is required");
        var account = await LoadAsync(accountId, tracking: true, ct);
        if (account is null) return AdminError.NotFound("Account", accountId);
        if (Unmet(ifMatch, account) is { } unmet) return unmet;
        var before = ToView(account);
        // Enrolment asked for alone and already as asked: nothing to save, not even a new version.
        if (enabled is null && account.Enrolled == enrolled) return new AccountStatusChanged(before, 0, 0);
        var now = time.GetUtcNow();
        if (enrolled is { } enrol) account.Enrolled = enrol;
        if (enabled is { } enable) account.Status = enable ? AccountStatus.Active : AccountStatus.Disabled;
        account.UpdatedAt = now;
        var disabling = enabled == false;
        EndedAccess ended = EndedAccess.None;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            if (!await TrySaveEditAsync(ct))
            {
                // Made so by another request meanwhile (and audited there): the answer a repeated request gets.
                var lost = await LostAsync(accountId, ifMatch,
                    a => (enabled is null || a.Status == account.Status) && (enrolled is null || a.Enrolled == enrolled), ct);
                return lost.Ok ? new AccountStatusChanged(lost.Value!, 0, 0) : lost.Error!;
            }
            if (disabling)
                ended = await EndAccessAsync(accountId, now, ct);
            await tx.CommitAsync(ct);
        }
        // The account's status refuses its access tokens only while it is disabled; the family markers go on
        // refusing them (and its codes) once it is enabled again.
        if (disabling) await grants.RevokeAccountTokensAsync(accountId, ct);
        NotifyLogout(accountId, ended);
        var after = ToView(account);
        if (enrolled is { } enrolledNow && before.Enrolled != enrolledNow)
            await audit.WriteAsync(enrolledNow ? AuditTypes.AccountEnrolled : AuditTypes.AccountUnenrolled, actor, accountId, ct: ct);
        if (enabled is { } enabledNow && (before.Enabled != enabledNow || ended.Sessions.Count > 0 || ended.RefreshTokens > 0))
            await audit.WriteAsync(enabledNow ? AuditTypes.AccountEnabled : AuditTypes.AccountDisabled, actor, accountId,
                details: new { before, after, sessionsEnded = ended.Sessions.Count, refreshTokensRevoked = ended.RefreshTokens }, ct: ct);
        return new AccountStatusChanged(after, ended.Sessions.Count, ended.RefreshTokens);
    }

    /// <summary>
    /// Enables or disables an account. Disabling ends its sessions (with a back-channel logout to the clients
    /// that got tokens in them) and revokes its refresh tokens at once, so the account loses every way back
    /// in until it is enabled again; its access tokens stop working at the bridge's endpoints at once too,
    /// and enabling it again gives none of them back.
    /// </summary>
    public Task<AdminResult<AccountStatusChanged>> SetEnabledAsync(string accountId, bool enabled, string actor, CancellationToken ct = default) =>
        SetStatusAsync(accountId, enabled, null, actor, ct: ct);

    /// <summary>
    /// Enrols an account or withdraws its enrolment. Clients under AllowList provisioning admit only enrolled
    /// accounts, checked at every sign-in, authorization and token issuance: once withdrawn, the account's
    /// codes and refresh tokens at those clients are refused (its sessions and its tokens at AutoCreate
    /// clients go on). Enrolling again makes them work again if they have not expired.
    /// </summary>
    public async Task<AdminResult<AccountView>> SetEnrolledAsync(string accountId, bool enrolled, string actor, CancellationToken ct = default)
    {
        var changed = await SetStatusAsync(accountId, null, enrolled, actor, ct: ct);
        return changed.Ok ? changed.Value!.Account : changed.Error!;
    }

    /// <summary>
    /// Ends an account's live sessions (with back-channel logout) and revokes its refresh tokens: what disabling
    /// does, for an import that disables an account.
    /// </summary>
    internal async Task<(int Sessions, int RefreshTokens)> EndAccountAccessAsync(string accountId, CancellationToken ct)
    {
        EndedAccess ended;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            ended = await EndAccessAsync(accountId, time.GetUtcNow(), ct);
            await tx.CommitAsync(ct);
        }
        await grants.RevokeAccountTokensAsync(accountId, ct);
        NotifyLogout(accountId, ended);
        return (ended.Sessions.Count, ended.RefreshTokens);
    }

    /// <summary>Deletes an account, ending its sessions and revoking its grants first.</summary>
    public async Task<AdminResult<AccountView>> DeleteAsync(string accountId, string actor, IfMatch? ifMatch = null, CancellationToken ct = default)
    {
        var account = await LoadAsync(accountId, tracking: true, ct);
        if (account is null) return AdminError.NotFound("Account", accountId);
        if (Unmet(ifMatch, account) is { } unmet) return unmet;
        var before = ToView(account);
        var now = time.GetUtcNow();
        EndedAccess ended;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            ended = await EndAccessAsync(accountId, now, ct);
            await db.Grants.Where(g => g.AccountId == accountId && g.RevokedAt == null).ExecuteUpdateAsync(u => u.SetProperty(g => g.RevokedAt, now), ct);
            await db.Consents.Where(c => c.AccountId == accountId).ExecuteDeleteAsync(ct);
            await db.UserTokens.Where(t => t.AccountId == accountId && t.RevokedAt == null).ExecuteUpdateAsync(u => u.SetProperty(t => t.RevokedAt, now), ct);
            db.Accounts.Remove(account);
            if (!await TrySaveEditAsync(ct)) return await LostAsync(accountId, ifMatch, _ => false, ct);
            await tx.CommitAsync(ct);
        }
        NotifyLogout(accountId, ended);
        await audit.WriteAsync(AuditTypes.AccountDeleted, actor, accountId, details: new { before }, ct: ct);
        return before;
    }

    public async Task<AdminResult<AccountView>> GrantRoleAsync(string accountId, string? role, string actor, IfMatch? ifMatch = null, CancellationToken ct = default)
    {
        var account = await LoadAsync(accountId, tracking: true, ct);
        if (account is null) return AdminError.NotFound("Account", accountId);
        if (Unmet(ifMatch, account) is { } unmet) return unmet;
        if (!IsValidRole(role)) return AdminError.Invalid("role", RoleMessage);
        if (account.Roles.Any(r => r.Role == role)) return ToView(account);
        account.Roles.Add(new AccountRole { AccountId = accountId, Role = role! });
        account.UpdatedAt = time.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex, "account_roles"))
        {
            // Another request granted the same role meanwhile (and audited it): the outcome a repeated grant has.
            db.ChangeTracker.Clear();
            return await LoadAsync(accountId, tracking: false, ct) is { } current ? ToView(current) : AdminError.NotFound("Account", accountId);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The account changed meanwhile: the same grant answers as a repeated one, any other change is a conflict.
            return await LostAsync(accountId, ifMatch, a => a.Roles.Any(r => r.Role == role), ct);
        }
        await audit.WriteAsync(AuditTypes.RoleGranted, actor, accountId, details: new { role }, ct: ct);
        return ToView(account);
    }

    public async Task<AdminResult<AccountView>> RevokeRoleAsync(string accountId, string role, string actor, IfMatch? ifMatch = null, CancellationToken ct = default)
    {
        var account = await LoadAsync(accountId, tracking: true, ct);
        if (account is null) return AdminError.NotFound("Account", accountId);
        var existing = account.Roles.FirstOrDefault(r => r.Role == role);
        if (existing is null) return AdminError.NotFound("Role", role);
        if (Unmet(ifMatch, account) is { } unmet) return unmet;
        account.Roles.Remove(existing);
        account.UpdatedAt = time.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another request revoked it meanwhile (and audited it): the answer a repeated revocation gets. Any other
            // change made meanwhile is a conflict.
            var lost = await LostAsync(accountId, ifMatch, a => a.Roles.All(r => r.Role != role), ct);
            return lost.Ok ? AdminError.NotFound("Role", role) : lost;
        }
        await audit.WriteAsync(AuditTypes.RoleRevoked, actor, accountId, details: new { role }, ct: ct);
        return ToView(account);
    }

    /// <summary>
    /// Links a wallet to an account (enrolling it). The account is read first, in this request's context, so that the
    /// link is saved over that reading: with <paramref name="ifMatch"/> naming it, or refused as changed meanwhile.
    /// </summary>
    public async Task<AdminResult<AccountView>> LinkWalletAsync(string accountId, string? address, string? network, string actor, IfMatch? ifMatch = null,
        CancellationToken ct = default)
    {
        var account = await LoadAsync(accountId, tracking: true, ct);
        if (account is null) return AdminError.NotFound("Account", accountId);
        if (Unmet(ifMatch, account) is { } unmet) return unmet;
        var errors = new FieldErrors();
        if (!XrplAddress.IsValid(address)) errors.Add("address", WalletMessage);
        if (network is { } n && (n.Length is 0 or > 32)) errors.Add("network", "must be 1 to 32 characters");
        if (errors.Any) return AdminError.Invalid(errors);
        LinkResult result;
        try
        {
            result = await accounts.LinkWalletAsync(accountId, address!, network, actor, ct);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex, WalletsTable))
        {
            result = LinkResult.LinkedElsewhere;
        }
        catch (DbUpdateConcurrencyException)
        {
            return await LostAsync(accountId, ifMatch, a => a.Wallets.Any(w => w.Address == address), ct);
        }
        if (result is LinkResult.Linked or LinkResult.AlreadyLinked)
            await EnrolAsync(accountId, actor, ct);
        return result switch
        {
            LinkResult.NoAccount => AdminError.NotFound("Account", accountId),
            LinkResult.LinkedElsewhere => WalletTaken(address!),
            _ => await GetAsync(accountId, ct),
        };
    }

    /// <summary>
    /// An administrator linking a wallet (again) enrols its account: AllowList clients admit it from then on,
    /// also when a sign-in under AutoCreate created it.
    /// </summary>
    private async Task EnrolAsync(string accountId, string actor, CancellationToken ct)
    {
        var changed = await db.Accounts.Where(a => a.Id == accountId && !a.Enrolled)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.Enrolled, true).SetProperty(a => a.UpdatedAt, time.GetUtcNow())
                .SetProperty(a => a.Version, a => a.Version + 1), ct);
        if (changed > 0)
            await audit.WriteAsync(AuditTypes.AccountEnrolled, actor, accountId, details: new { via = "wallet.linked" }, ct: ct);
    }

    /// <summary>
    /// Unlinks a wallet. Everything obtained by signing in with it ends, since it no longer proves this
    /// account: its sessions are revoked as an administrator revokes a session (refresh tokens, offline_access
    /// included, and back-channel logout to their clients), and so are the grants issued without a session
    /// (CIBA, token exchange), with the access tokens of all of them.
    /// </summary>
    public async Task<AdminResult<AccountView>> UnlinkWalletAsync(string accountId, string address, string actor, IfMatch? ifMatch = null, CancellationToken ct = default)
    {
        var account = await LoadAsync(accountId, tracking: true, ct);
        if (account is null) return AdminError.NotFound("Account", accountId);
        var wallet = account.Wallets.FirstOrDefault(w => w.Address == address);
        if (wallet is null) return AdminError.NotFound("Wallet", address);
        if (Unmet(ifMatch, account) is { } unmet) return unmet;
        var now = time.GetUtcNow();
        account.Wallets.Remove(wallet);
        account.UpdatedAt = now;
        if (!await TrySaveEditAsync(ct))
        {
            // Unlinked by another request meanwhile (which ended its access): the answer a repeated unlink gets.
            var lost = await LostAsync(accountId, ifMatch, a => a.Wallets.All(w => w.Address != address), ct);
            return lost.Ok ? AdminError.NotFound("Wallet", address) : lost;
        }
        var (sessionsEnded, families) = await EndWalletAccessAsync(accountId, address, actor, ct);
        await audit.WriteAsync(AuditTypes.WalletUnlinked, actor, accountId,
            details: new { wallet = address, network = wallet.Network, sessionsEnded, tokenFamiliesRevoked = families }, ct: ct);
        return ToView(account);
    }

    /// <summary>
    /// Ends what an account obtained by signing in with a wallet it no longer has (unlinked, or moved away by
    /// an import): the grant families established with it, with their access tokens, and its live sessions,
    /// revoked as an administrator revokes a session.
    /// </summary>
    internal async Task<(int Sessions, int TokenFamilies)> EndWalletAccessAsync(string accountId, string address, string actor, CancellationToken ct)
    {
        var families = await grants.RevokeWalletTokensAsync(accountId, address, ct);
        var live = await db.Sessions.Where(s => s.AccountId == accountId && s.Wallet == address && s.EndedAt == null).Select(s => s.Id).ToListAsync(ct);
        foreach (var session in live)
            await sessionService.RevokeAsync(session, actor, ct);
        return (live.Count, families);
    }

    public async Task<int> CountAsync(CancellationToken ct = default) => await db.Accounts.CountAsync(ct);

    public static AccountView ToView(Account a) => new(
        a.Id, a.DisplayName, a.Email, a.EmailVerified, a.Status == AccountStatus.Active, a.Enrolled, a.KycApproved,
        a.CreatedAt, a.UpdatedAt, a.LastSignInAt,
        a.Roles.Select(r => r.Role).Order(StringComparer.Ordinal).ToList(),
        a.Wallets.OrderBy(w => w.LinkedAt).ThenBy(w => w.Address, StringComparer.Ordinal)
            .Select(w => new WalletView(w.Address, w.Network, w.LinkedAt, w.FirstSignInAt, w.LastSignInAt)).ToList())
    {
        ETag = EntityTags.Of(a.Version, a.CreatedAt),
    };

    /// <summary>The refusal of a change whose If-Match does not name the account as read; null when there is none to make.</summary>
    private static AdminError? Unmet(IfMatch? ifMatch, Account account) =>
        ifMatch is null || ifMatch.Matches(EntityTags.Of(account.Version, account.CreatedAt)) ? null : AdminError.PreconditionFailed("Account", account.Id);

    /// <summary>Saves an edit of an account read in this request; false when the account changed since (see <see cref="Account.Version"/>).</summary>
    private async Task<bool> TrySaveEditAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }
    }

    /// <summary>
    /// The answer to a change lost to another one saved meanwhile (nothing of it was stored): the account as it now
    /// is when it is already as <paramref name="already"/> asks (what repeating the request answers), else a conflict,
    /// or, when the request named the entity tag it was made from, that tag's precondition failing.
    /// </summary>
    private async Task<AdminResult<AccountView>> LostAsync(string accountId, IfMatch? ifMatch, Func<Account, bool> already, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var current = await LoadAsync(accountId, tracking: false, ct);
        if (current is null) return AdminError.NotFound("Account", accountId);
        if (already(current)) return ToView(current);
        return ifMatch is { IsAny: false }
            ? AdminError.PreconditionFailed("Account", accountId)
            : AdminError.Conflict("Account changed meanwhile",
                $"Account '{accountId}' was changed by another request while this one was being applied; nothing was saved. Read it again and retry.");
    }

    /// <summary>Sessions ended (with the clients that got tokens in each) and refresh tokens revoked.</summary>
    private sealed record EndedAccess(IReadOnlyList<(string Session, IReadOnlyList<string> Clients)> Sessions, int RefreshTokens)
    {
        public static readonly EndedAccess None = new([], 0);
    }

    /// <summary>
    /// Ends the account's live sessions and revokes its refresh tokens, in the caller's transaction. The
    /// sessions' clients are read first: deleting the account takes the rows that name them with it.
    /// </summary>
    private async Task<EndedAccess> EndAccessAsync(string accountId, DateTimeOffset now, CancellationToken ct)
    {
        var live = await db.Sessions.Where(s => s.AccountId == accountId && s.EndedAt == null).Select(s => s.Id).ToListAsync(ct);
        var clients = await db.SessionClients.Where(c => live.Contains(c.SessionId)).Select(c => new { c.SessionId, c.ClientId }).ToListAsync(ct);
        await db.Sessions.Where(s => s.AccountId == accountId && s.EndedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now), ct);
        var tokens = await db.Grants.Where(g => g.AccountId == accountId && g.Type == RefreshTokenGrant && g.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(g => g.RevokedAt, now), ct);
        var sessions = live.Select(id => (id, (IReadOnlyList<string>)clients.Where(c => c.SessionId == id).Select(c => c.ClientId).ToList())).ToList();
        return new EndedAccess(sessions, tokens);
    }

    /// <summary>OpenID Connect Back-Channel Logout to the clients of each ended session, once its end is committed.</summary>
    private void NotifyLogout(string accountId, EndedAccess ended)
    {
        foreach (var (session, clients) in ended.Sessions.Where(s => s.Clients.Count > 0))
            _ = backChannel.Notify(session, accountId, clients);
    }

    private Task<Account?> LoadAsync(string accountId, bool tracking, CancellationToken ct)
    {
        var query = tracking ? db.Accounts : db.Accounts.AsNoTracking();
        return query.Include(a => a.Roles).Include(a => a.Wallets).AsSplitQuery().FirstOrDefaultAsync(a => a.Id == accountId, ct);
    }

    private static void ValidateProfile(string? displayName, string? email, FieldErrors errors)
    {
        if (displayName is { Length: > 200 }) errors.Add("displayName", "must be at most 200 characters");
        // As for a name a sign-in brings: it goes into ID tokens, userinfo, the console and the CLI's terminal output.
        else if (Clean(displayName) is { } name && name.Any(char.IsControl)) errors.Add("displayName", "must not contain control characters");
        if (Clean(email) is { } e && !IsValidEmail(e))
            errors.Add("email", "must be an email address such as name@example.com");
    }

    /// <summary>Whether <paramref name="email"/> is an address as an account's profile holds it: exactly one address, nothing around it, at most 320 characters.</summary>
    public static bool IsValidEmail(string email) =>
        email.Length <= 320 && System.Net.Mail.MailAddress.TryCreate(email, out var parsed) && parsed.Address == email;

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static AdminError WalletTaken(string address) =>
        AdminError.Conflict("Wallet already linked", $"The wallet {address} is linked to another account; unlink it there first.");

    private const string RoleMessage = "must be 1 to 100 characters: letters, digits, '.', '_', ':' or '-'";
    private const string WalletMessage = "must be a valid XRP Ledger r-address";
}
