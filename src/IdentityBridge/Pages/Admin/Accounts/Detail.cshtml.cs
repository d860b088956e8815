using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.Admin.Accounts;

public sealed class AccountDetailModel(AccountAdminService accounts, SessionAdminService sessions, AuditQueryService audit) : VersionedPageModel
{
    public sealed class ProfileForm
    {
        public string? DisplayName { get; set; }
        public string? Email { get; set; }
        public bool EmailVerified { get; set; }
        /// <summary>The entity tag of the account the form was filled from: a save over a later version is refused.</summary>
        public string? Version { get; set; }
    }

    public sealed class WalletForm
    {
        public string? Address { get; set; }
        public string? Network { get; set; }
    }

    public sealed class RoleForm
    {
        public string? Role { get; set; }
    }

    public AccountView Account { get; private set; } = null!;
    public ResultPage<SessionView> Sessions { get; private set; } = new([], 1, 50, 0);
    public IReadOnlyList<AuditEventView> History { get; private set; } = [];

    [BindProperty(SupportsGet = true, Name = "sessions")] public string? SessionFilter { get; set; }
    [BindProperty] public ProfileForm Profile { get; set; } = new();
    [BindProperty] public WalletForm Link { get; set; } = new();
    [BindProperty] public RoleForm Grant { get; set; } = new();

    public bool ShowAllSessions => SessionFilter == "all";

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFoundPage();
        Profile = new ProfileForm { DisplayName = Account.DisplayName, Email = Account.Email, EmailVerified = Account.EmailVerified, Version = Account.ETag };
        return Page();
    }

    public async Task<IActionResult> OnPostProfileAsync(string id, CancellationToken ct)
    {
        var result = await accounts.UpdateProfileAsync(id, new AccountProfileInput
        {
            DisplayName = Profile.DisplayName, Email = Profile.Email, EmailVerified = Profile.EmailVerified,
        }, Actor, FormVersion(Profile.Version), ct);
        return await AfterAsync(id, result, "Profile saved.", "Profile", ct);
    }

    public async Task<IActionResult> OnPostLinkWalletAsync(string id, CancellationToken ct)
    {
        var result = await accounts.LinkWalletAsync(id, Link.Address?.Trim(), string.IsNullOrWhiteSpace(Link.Network) ? null : Link.Network.Trim(), Actor,
            ShownVersion, ct);
        return await AfterAsync(id, result, $"Wallet {Link.Address} linked.", "Link", ct);
    }

    public async Task<IActionResult> OnPostUnlinkWalletAsync(string id, string address, CancellationToken ct) =>
        await AfterAsync(id, await accounts.UnlinkWalletAsync(id, address, Actor, ShownVersion, ct),
            $"Wallet {address} unlinked; the sessions and tokens obtained with it ended.", "Link", ct);

    public async Task<IActionResult> OnPostGrantRoleAsync(string id, CancellationToken ct) =>
        await AfterAsync(id, await accounts.GrantRoleAsync(id, Grant.Role?.Trim(), Actor, ShownVersion, ct), $"Role {Grant.Role} granted.", "Grant", ct);

    public async Task<IActionResult> OnPostRevokeRoleAsync(string id, string role, CancellationToken ct) =>
        await AfterAsync(id, await accounts.RevokeRoleAsync(id, role, Actor, ShownVersion, ct), $"Role {role} revoked.", "Grant", ct);

    public async Task<IActionResult> OnPostRevokeSessionAsync(string id, string sessionId, CancellationToken ct) =>
        await AfterAsync(id, await sessions.RevokeForAccountAsync(id, sessionId, Actor, ct), "Session revoked.", "Session", ct);

    public async Task<IActionResult> OnPostDisableAsync(string id, CancellationToken ct)
    {
        var result = await SetStatusAsync(id, enabled: false, enrolled: null, ct);
        var message = result.Ok ? $"Account disabled: {result.Value!.SessionsEnded} session(s) ended, {result.Value.RefreshTokensRevoked} refresh token(s) revoked." : "";
        return await AfterAsync(id, result, message, "Status", ct);
    }

    public async Task<IActionResult> OnPostEnableAsync(string id, CancellationToken ct) =>
        await AfterAsync(id, await SetStatusAsync(id, enabled: true, enrolled: null, ct), "Account enabled.", "Status", ct);

    public async Task<IActionResult> OnPostEnrolAsync(string id, CancellationToken ct) =>
        await AfterAsync(id, await SetStatusAsync(id, enabled: null, enrolled: true, ct), "Account enrolled.", "Status", ct);

    public async Task<IActionResult> OnPostUnenrolAsync(string id, CancellationToken ct) =>
        await AfterAsync(id, await SetStatusAsync(id, enabled: null, enrolled: false, ct), "Enrolment withdrawn.", "Status", ct);

    public async Task<IActionResult> OnPostDeleteAsync(string id, CancellationToken ct)
    {
        var result = await accounts.DeleteAsync(id, Actor, ShownVersion, ct);
        if (!result.Ok) return await AfterAsync(id, result, "", "Status", ct);
        Notice = "Account deleted.";
        return Redirect("/admin/accounts");
    }

    private Task<AdminResult<AccountStatusChanged>> SetStatusAsync(string id, bool? enabled, bool? enrolled, CancellationToken ct) =>
        accounts.SetStatusAsync(id, enabled, enrolled, Actor, ShownVersion, ct);

    private async Task<IActionResult> AfterAsync<T>(string id, AdminResult<T> result, string notice, string prefix, CancellationToken ct)
    {
        if (result.Ok)
        {
            Notice = notice;
            return Redirect("/admin/accounts/" + Uri.EscapeDataString(id));
        }
        if (result.Error!.Kind == AdminErrorKind.NotFound && !await LoadAsync(id, ct)) return NotFoundPage();
        Show(result.Error, prefix);
        if (!await LoadAsync(id, ct)) return NotFoundPage();
        if (prefix != "Profile")
            Profile = new ProfileForm { DisplayName = Account.DisplayName, Email = Account.Email, EmailVerified = Account.EmailVerified, Version = Account.ETag };
        return Page();
    }

    private async Task<bool> LoadAsync(string id, CancellationToken ct)
    {
        var account = await accounts.GetAsync(id, ct);
        if (!account.Ok) return false;
        Account = account.Value!;
        var list = await sessions.ListForAccountAsync(id, ShowAllSessions, new PageRequest(1, 50), ct);
        Sessions = list.Value!;
        History = (await audit.QueryAsync(new AuditQuery(AccountId: id), new PageRequest(1, 10), ct)).Items;
        return true;
    }
}
