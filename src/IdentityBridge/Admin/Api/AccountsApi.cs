using IdentityBridge.Admin.Authentication;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;

namespace IdentityBridge.Admin.Api;

/// <summary>/admin/api/accounts: local accounts, their roles and wallets.</summary>
internal static class AccountsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/accounts").WithTags("Accounts");

        g.MapGet("/", async (AccountAdminService accounts, string? q, string? address, string? name, string? email, string? role, string? enabled,
            string? enrolled, string? page, string? pageSize, CancellationToken ct) =>
        {
            var errors = new FieldErrors();
            var paging = PageRequest.Parse(page, pageSize, errors);
            var query = new AccountQuery(
                QueryValues.Text(q, "q", 200, errors),
                QueryValues.Text(address, "address", 40, errors),
                QueryValues.Text(name, "name", 200, errors),
                QueryValues.Text(email, "email", 320, errors),
                QueryValues.Text(role, "role", 100, errors),
                QueryValues.Bool(enabled, "enabled", errors),
                QueryValues.Bool(enrolled, "enrolled", errors));
            if (errors.Any) return AdminResults.Problem(AdminError.Invalid(errors));
            return AdminResults.Json(AdminResults.View(await accounts.SearchAsync(query, paging, ct)));
        })
        .WithName("SearchAccounts")
        .WithSummary("Search accounts (q: id, name, email or r-address; or by address, name, email, role, enabled, enrolled), newest first.")
        .Produces<PageView<AccountView>>().ProducesValidationProblem();

        g.MapGet("/{accountId}", async (string accountId, HttpContext context, AccountAdminService accounts, CancellationToken ct) =>
        {
            var (ifNoneMatch, malformed) = IfNoneMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            return AdminResults.TaggedUnlessNotModified(context, await accounts.GetAsync(accountId, ct), a => a.ETag, ifNoneMatch);
        })
        .WithName("GetAccount").WithSummary("Get an account, with its entity tag in ETag. " + IfNoneMatchHeader.Note)
        .Produces<AccountView>().Produces(StatusCodes.Status304NotModified).ProducesValidationProblem().ProducesProblem(404);

        g.MapPost("/", async (HttpContext context, AccountAdminService accounts, CancellationToken ct) =>
        {
            var (input, problem) = await AdminJson.ReadAsync<AccountInput>(context.Request);
            if (problem is not null) return problem;
            return AdminResults.Tagged(context, await accounts.CreateAsync(input!, AdminActor.Of(context), ct), a => a.ETag,
                a => Results.Json(a, AdminJson.Options, statusCode: StatusCodes.Status201Created));
        })
        .WithName("CreateAccount").WithSummary("Create an account, optionally with roles and wallets (enrolment ahead of the first sign-in).")
        .AcceptsJson<AccountInput>()
        .Produces<AccountView>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(409);

        g.MapPut("/{accountId}", async (string accountId, HttpContext context, AccountAdminService accounts, CancellationToken ct) =>
        {
            var (ifMatch, malformed) = IfMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            var (input, problem) = await AdminJson.ReadAsync<AccountProfileInput>(context.Request);
            if (problem is not null) return problem;
            return AdminResults.Tagged(context, await accounts.UpdateProfileAsync(accountId, input!, AdminActor.Of(context), ifMatch, ct), a => a.ETag);
        })
        .WithName("ReplaceAccountProfile").WithSummary("Replace an account's profile (display name, email). " + IfMatchNote)
        .AcceptsJson<AccountProfileInput>()
        .Produces<AccountView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        g.MapPatch("/{accountId}", async (string accountId, HttpContext context, AccountAdminService accounts, CancellationToken ct) =>
        {
            var (ifMatch, malformed) = IfMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            var (input, problem) = await AdminJson.ReadAsync<AccountStatusPatch>(context.Request);
            if (problem is not null) return problem;
            return AdminResults.Tagged(context, await accounts.SetStatusAsync(accountId, input!.Enabled, input.Enrolled, AdminActor.Of(context), ifMatch, ct),
                changed => changed.Account.ETag);
        })
        .WithName("SetAccountStatus")
        .WithSummary("Enable or disable an account ({ \"enabled\": false } ends its sessions and revokes its refresh tokens), "
                     + "and enrol it or withdraw its enrolment ({ \"enrolled\": false }: AllowList clients stop admitting it). " + IfMatchNote)
        .AcceptsJson<AccountStatusPatch>()
        .Produces<AccountStatusChanged>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        g.MapDelete("/{accountId}", async (string accountId, HttpContext context, AccountAdminService accounts, CancellationToken ct) =>
        {
            var (ifMatch, malformed) = IfMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            return AdminResults.From(await accounts.DeleteAsync(accountId, AdminActor.Of(context), ifMatch, ct), _ => Results.NoContent());
        })
        .WithName("DeleteAccount").WithSummary("Delete an account. " + IfMatchNote)
        .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        g.MapPost("/{accountId}/roles", async (string accountId, HttpContext context, AccountAdminService accounts, CancellationToken ct) =>
        {
            var (ifMatch, malformed) = IfMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            var (input, problem) = await AdminJson.ReadAsync<RoleInput>(context.Request);
            if (problem is not null) return problem;
            return AdminResults.Tagged(context, await accounts.GrantRoleAsync(accountId, input!.Role, AdminActor.Of(context), ifMatch, ct), a => a.ETag);
        })
        .WithName("GrantRole").WithTags("Roles").WithSummary("Grant a role. " + SubResourceIfMatchNote).AcceptsJson<RoleInput>()
        .Produces<AccountView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        g.MapDelete("/{accountId}/roles/{role}", async (string accountId, string role, HttpContext context, AccountAdminService accounts, CancellationToken ct) =>
        {
            var (ifMatch, malformed) = IfMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            return AdminResults.Tagged(context, await accounts.RevokeRoleAsync(accountId, role, AdminActor.Of(context), ifMatch, ct), a => a.ETag);
        })
        .WithName("RevokeRole").WithTags("Roles").WithSummary("Revoke a role. " + SubResourceIfMatchNote)
        .Produces<AccountView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        g.MapPost("/{accountId}/wallets", async (string accountId, HttpContext context, AccountAdminService accounts, CancellationToken ct) =>
        {
            var (ifMatch, malformed) = IfMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            var (input, problem) = await AdminJson.ReadAsync<WalletInput>(context.Request);
            if (problem is not null) return problem;
            return AdminResults.Tagged(context, await accounts.LinkWalletAsync(accountId, input!.Address, input.Network, AdminActor.Of(context), ifMatch, ct),
                a => a.ETag);
        })
        .WithName("LinkWallet").WithTags("Wallets")
        .WithSummary("Link a wallet (r-address). A wallet linked to another account is a 409. " + SubResourceIfMatchNote)
        .AcceptsJson<WalletInput>()
        .Produces<AccountView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        g.MapDelete("/{accountId}/wallets/{address}", async (string accountId, string address, HttpContext context, AccountAdminService accounts, CancellationToken ct) =>
        {
            var (ifMatch, malformed) = IfMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            return AdminResults.Tagged(context, await accounts.UnlinkWalletAsync(accountId, address, AdminActor.Of(context), ifMatch, ct), a => a.ETag);
        })
        .WithName("UnlinkWallet").WithTags("Wallets").WithSummary("Unlink a wallet; sessions signed in with it end. " + SubResourceIfMatchNote)
        .Produces<AccountView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
    }

    /// <summary>What the changes of an account say about conditional requests.</summary>
    private const string IfMatchNote = "With If-Match (the account's ETag, or *), an account that changed since is left as it is: 412 Precondition Failed.";

    private const string SubResourceIfMatchNote = "If-Match is compared with the account's ETag (a 412 when the account changed since); "
        + "the answer carries the account's new ETag.";
}
