using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.Admin.Accounts;

public sealed class AccountListModel(AccountAdminService accounts) : AdminPageModel
{
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Role { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;

    public ResultPage<AccountView> Results { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);

    public async Task OnGetAsync(CancellationToken ct)
    {
        var query = new AccountQuery(
            Q: Q is { Length: <= 200 } ? Q : null,
            Role: Role is { Length: <= 100 } ? Role : null,
            Enabled: Status switch { "active" => true, "disabled" => false, _ => null },
            Enrolled: Status == "not-enrolled" ? false : null);
        Results = await accounts.SearchAsync(query, new PageRequest(Math.Clamp(PageNumber, 1, PageRequest.MaxPage), PageRequest.DefaultPageSize), ct);
    }
}
