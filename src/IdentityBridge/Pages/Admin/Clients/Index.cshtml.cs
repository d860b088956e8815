using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.Admin.Clients;

public sealed class ClientListModel(ClientAdminService clients) : AdminPageModel
{
    [BindProperty(SupportsGet = true)] public string? Search { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;

    public ResultPage<ClientView> Results { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);

    public async Task OnGetAsync(CancellationToken ct)
    {
        var page = new PageRequest(Math.Clamp(PageNumber, 1, PageRequest.MaxPage), PageRequest.DefaultPageSize);
        bool? enabled = Status switch { "enabled" => true, "disabled" => false, _ => null };
        Results = await clients.ListAsync(page, Search is { Length: <= 200 } s ? s : null, enabled, ct);
    }
}
