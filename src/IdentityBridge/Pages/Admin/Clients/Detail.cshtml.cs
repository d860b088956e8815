using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.Admin.Clients;

public sealed class ClientDetailModel(ClientAdminService clients, AuditQueryService audit) : AdminPageModel
{
    public ClientView Client { get; private set; } = new();
    public SecretRotated? Rotated { get; private set; }
    public IReadOnlyList<AuditEventView> History { get; private set; } = [];

    [BindProperty] public int OverlapHours { get; set; } = 24;

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFoundPage();

    public async Task<IActionResult> OnPostRotateAsync(string id, CancellationToken ct)
    {
        if (OverlapHours is < 0 or > 720)
        {
            ModelState.AddModelError(nameof(OverlapHours), "must be from 0 to 720 hours");
            return await LoadAsync(id, ct) ? Page() : NotFoundPage();
        }
        var result = await clients.RotateSecretAsync(id, OverlapHours * 3600, Actor, ct: ct);
        if (!result.Ok)
        {
            if (result.Error!.Kind == AdminErrorKind.NotFound) return NotFoundPage();
            Show(result.Error);
        }
        else
        {
            Rotated = result.Value;
            Response.Headers.CacheControl = "no-store";
        }
        return await LoadAsync(id, ct) ? Page() : NotFoundPage();
    }

    public Task<IActionResult> OnPostEnableAsync(string id, CancellationToken ct) => SetEnabledAsync(id, true, ct);

    public Task<IActionResult> OnPostDisableAsync(string id, CancellationToken ct) => SetEnabledAsync(id, false, ct);

    public async Task<IActionResult> OnPostDeleteAsync(string id, CancellationToken ct)
    {
        var result = await clients.DeleteAsync(id, Actor, ct: ct);
        if (!result.Ok) return NotFoundPage();
        Notice = $"Client '{id}' deleted.";
        return Redirect("/admin/clients");
    }

    private async Task<IActionResult> SetEnabledAsync(string id, bool enabled, CancellationToken ct)
    {
        var result = await clients.SetEnabledAsync(id, enabled, Actor, ct: ct);
        if (!result.Ok) return NotFoundPage();
        Notice = enabled ? "Client enabled." : "Client disabled: it can no longer obtain tokens.";
        return Redirect("/admin/clients/" + Uri.EscapeDataString(id));
    }

    private async Task<bool> LoadAsync(string id, CancellationToken ct)
    {
        var client = await clients.GetAsync(id, ct);
        if (!client.Ok) return false;
        Client = client.Value!;
        History = (await audit.QueryAsync(new AuditQuery(ClientId: id), new PageRequest(1, 10), ct)).Items;
        return true;
    }
}
