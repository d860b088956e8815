using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.Admin.Clients;

public sealed class NewClientModel(ClientAdminService clients) : AdminPageModel
{
    [BindProperty] public ClientForm Form { get; set; } = new();

    /// <summary>Set once the client exists: shown on this response only, never stored in clear.</summary>
    public ClientCreated? Created { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var input = Form.ToInput(null, out var jwksError);
        if (jwksError is not null)
        {
            ModelState.AddModelError("Form.Jwks", jwksError);
            Failure = "Please correct the fields marked below.";
            return Page();
        }
        var result = await clients.CreateAsync(input, Actor, ct);
        if (!result.Ok)
        {
            Show(result.Error!);
            return Page();
        }
        if (result.Value!.ClientSecret is null)
        {
            Notice = $"Client '{result.Value.Client.ClientId}' registered.";
            return Redirect("/admin/clients/" + Uri.EscapeDataString(result.Value.Client.ClientId!));
        }
        Response.Headers.CacheControl = "no-store";
        Created = result.Value;
        return Page();
    }
}
