using IdentityBridge.Admin.Authentication;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;

namespace IdentityBridge.Admin.Api;

/// <summary>/admin/api/keys: token signing keys (public facts only).</summary>
internal static class KeysApi
{
    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/keys").WithTags("Signing keys");

        g.MapGet("/", async (KeyAdminService keys, CancellationToken ct) => AdminResults.Json(await keys.ListAsync(ct)))
            .WithName("ListKeys").Produces<IReadOnlyList<SigningKeyView>>();

        g.MapPost("/rotate", async (HttpContext context, KeyAdminService keys, CancellationToken ct) =>
        {
            var input = new RotateKeyInput();
            if (context.Request.ContentLength is > 0 || context.Request.ContentType is not null)
            {
                var (body, problem) = await AdminJson.ReadAsync<RotateKeyInput>(context.Request);
                if (problem is not null) return problem;
                input = body!;
            }
            return AdminResults.From(await keys.RotateAsync(input.Algorithm, AdminActor.Of(context), ct),
                k => Results.Json(k, AdminJson.Options, statusCode: StatusCodes.Status201Created));
        })
        .WithName("RotateKey").WithSummary("Create a key that signs from now on; the previous key retires and stays published for the retention time.")
        .AcceptsJson<RotateKeyInput>(required: false)
        .Produces<SigningKeyView>(StatusCodes.Status201Created).ProducesValidationProblem();

        g.MapPost("/{kid}/retire", async (string kid, HttpContext context, KeyAdminService keys, CancellationToken ct) =>
            AdminResults.Ok(await keys.RetireAsync(kid, AdminActor.Of(context), ct)))
        .WithName("RetireKey").WithSummary("Stop signing with a key (it stays published until it expires). The last signing key cannot be retired.")
        .Produces<SigningKeyView>().ProducesProblem(404).ProducesProblem(409);

        g.MapPost("/{kid}/revoke", async (string kid, HttpContext context, KeyAdminService keys, CancellationToken ct) =>
            AdminResults.Ok(await keys.RevokeAsync(kid, AdminActor.Of(context), ct)))
        .WithName("RevokeKey").WithSummary("Revoke a compromised key: it leaves the JWKS at once and every token it signed is refused; a new key signs at once in its place. Revoking a key already out of the JWKS changes nothing.")
        .Produces<SigningKeyView>().ProducesProblem(404);
    }
}
