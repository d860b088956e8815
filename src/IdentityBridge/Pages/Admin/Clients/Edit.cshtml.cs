using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.Admin.Clients;

public sealed class EditClientModel(ClientAdminService clients) : AdminPageModel
{
    [BindProperty] public ClientForm Form { get; set; } = new();

    /// <summary>Set when the save issued a secret: shown on this response only, never stored in clear.</summary>
    public ClientUpdated? Saved { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        var client = await clients.GetAsync(id, ct);
        if (!client.Ok) return NotFoundPage();
        Form = ClientForm.From(client.Value!);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken ct)
    {
        var current = await clients.GetAsync(id, ct);
        if (!current.Ok) return NotFoundPage();
        Form.ClientId = id;
        var input = Form.ToInput(current.Value, out var jwksError);
        if (jwksError is not null)
        {
            ModelState.AddModelError("Form.Jwks", jwksError);
            Failure = "Please correct the fields marked below.";
            return Page();
        }
        var result = await clients.UpdateAsync(id, input, Actor, FormVersion(Form.Version), ct);
        if (!result.Ok)
        {
            Show(result.Error!);
            return Page();
        }
        if (result.Value!.ClientSecret is not null)
        {
            Response.Headers.CacheControl = "no-store";
            Saved = result.Value;
            return Page();
        }
        Notice = "Client saved.";
        return Redirect("/admin/clients/" + Uri.EscapeDataString(id));
    }
}
