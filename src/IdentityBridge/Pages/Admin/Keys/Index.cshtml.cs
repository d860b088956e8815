using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.Admin.Keys;

public sealed class KeysModel(KeyAdminService keys) : AdminPageModel
{
    public IReadOnlyList<SigningKeyView> Keys { get; private set; } = [];

    [BindProperty] public string? Algorithm { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => Keys = await keys.ListAsync(ct);

    public async Task<IActionResult> OnPostRotateAsync(CancellationToken ct)
    {
        var result = await keys.RotateAsync(Algorithm, Actor, ct);
        if (!result.Ok)
        {
            Show(result.Error!, "Rotate");
            Keys = await keys.ListAsync(ct);
            return Page();
        }
        Notice = $"Key {result.Value!.Kid} ({result.Value.Algorithm}) now signs; the previous one is retired and stays published.";
        return Redirect("/admin/keys");
    }

    public async Task<IActionResult> OnPostRetireAsync(string kid, CancellationToken ct)
    {
        var result = await keys.RetireAsync(kid, Actor, ct);
        if (!result.Ok)
        {
            Show(result.Error!);
            Keys = await keys.ListAsync(ct);
            return Page();
        }
        Notice = $"Key {kid} retired.";
        return Redirect("/admin/keys");
    }

    public async Task<IActionResult> OnPostRevokeAsync(string kid, CancellationToken ct)
    {
        var result = await keys.RevokeAsync(kid, Actor, ct);
        if (!result.Ok)
        {
            Show(result.Error!);
            Keys = await keys.ListAsync(ct);
            return Page();
        }
        Notice = $"Key {kid} revoked: it is out of the JWKS and the tokens it signed are refused.";
        return Redirect("/admin/keys");
    }
}
