using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.Admin.Clients;

public sealed class ClientDetailModel(ClientAdminService clients, AuditQueryService audit) : VersionedPageModel
{
    public ClientView Client { get; private set; } = new();
    public SecretRotated? Rotated { get; private set; }
    public IReadOnlyList<AuditEventView> History { get; private set; } = [];

    [BindProperty] public int OverlapHours { get; set; } = 24;

    public Task<IActionResult> OnGetAsync(string id, CancellationToken ct) => PageAsync(id, ct);

    public async Task<IActionResult> OnPostRotateAsync(string id, CancellationToken ct)
    {
        if (OverlapHours is < 0 or > 720)
        {
            ModelState.AddModelError(nameof(OverlapHours), "must be from 0 to 720 hours");
            return await PageAsync(id, ct);
        }
        var result = await clients.RotateSecretAsync(id, OverlapHours * 3600, Actor, ifMatch: ShownVersion, ct: ct);
        if (!result.Ok) return await RefusedAsync(id, result.Error!, ct);
        Rotated = result.Value;
        Response.Headers.CacheControl = "no-store";
        return await PageAsync(id, ct);
    }

    public Task<IActionResult> OnPostEnableAsync(string id, CancellationToken ct) => SetEnabledAsync(id, true, ct);

    public Task<IActionResult> OnPostDisableAsync(string id, CancellationToken ct) => SetEnabledAsync(id, false, ct);

    public async Task<IActionResult> OnPostDeleteAsync(string id, CancellationToken ct)
    {
        var result = await clients.DeleteAsync(id, Actor, ShownVersion, ct);
        if (!result.Ok) return await RefusedAsync(id, result.Error!, ct);
        Notice = $"Client '{id}' deleted.";
        return Redirect("/admin/clients");
    }

    private async Task<IActionResult> SetEnabledAsync(string id, bool enabled, CancellationToken ct)
    {
        var result = await clients.SetEnabledAsync(id, enabled, Actor, ShownVersion, ct);
        if (!result.Ok) return await RefusedAsync(id, result.Error!, ct);
        Notice = enabled ? "Client enabled." : "Client disabled: it can no longer obtain tokens.";
        return Redirect("/admin/clients/" + Uri.EscapeDataString(id));
    }

    /// <summary>
    /// Shows why a change was refused on the page as the client now is, whose forms carry its current tag: a change
    /// refused for a page older than the client can be made again from there.
    /// </summary>
    private async Task<IActionResult> RefusedAsync(string id, AdminError error, CancellationToken ct)
    {
        if (error.Kind == AdminErrorKind.NotFound) return NotFoundPage();
        Show(error);
        return await PageAsync(id, ct);
    }

    private async Task<IActionResult> PageAsync(string id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFoundPage();

    private async Task<bool> LoadAsync(string id, CancellationToken ct)
    {
        var client = await clients.GetAsync(id, ct);
        if (!client.Ok) return false;
        Client = client.Value!;
        History = (await audit.QueryAsync(new AuditQuery(ClientId: id), new PageRequest(1, 10), ct)).Items;
        return true;
    }
}
