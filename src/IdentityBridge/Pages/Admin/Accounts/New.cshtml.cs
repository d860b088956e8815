using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.Admin.Accounts;

public sealed class NewAccountModel(AccountAdminService accounts) : AdminPageModel
{
    public sealed class AccountForm
    {
        public string? DisplayName { get; set; }
        public string? Email { get; set; }
        public string? Wallets { get; set; }
        public string? Roles { get; set; }
    }

    [BindProperty] public AccountForm Form { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var input = new AccountInput
        {
            DisplayName = Form.DisplayName,
            Email = Form.Email,
            Wallets = Split(Form.Wallets),
            Roles = Split(Form.Roles),
        };
        var result = await accounts.CreateAsync(input, Actor, ct);
        if (!result.Ok)
        {
            Show(result.Error!);
            return Page();
        }
        Notice = "Account created.";
        return Redirect("/admin/accounts/" + Uri.EscapeDataString(result.Value!.Id));
    }

    private static List<string> Split(string? text) =>
        (text ?? "").Split(['\n', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
