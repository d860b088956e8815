using IdentityBridge.Admin.Authentication;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;

namespace IdentityBridge.Admin.Api;

/// <summary>/admin/api/clients: registered applications.</summary>
internal static class ClientsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/clients").WithTags("Clients");

        g.MapGet("/", async (HttpRequest request, ClientAdminService clients, string? search, string? enabled, string? page, string? pageSize, CancellationToken ct) =>
        {
            var errors = new FieldErrors();
            var paging = PageRequest.Parse(page, pageSize, errors);
            var enabledFilter = QueryValues.Bool(enabled, "enabled", errors);
            var text = QueryValues.Text(search, "search", 200, errors);
            if (errors.Any) return AdminResults.Problem(AdminError.Invalid(errors));
            return AdminResults.Json(AdminResults.View(await clients.ListAsync(paging, text, enabledFilter, ct)));
        })
        .WithName("ListClients").WithSummary("List clients, by client id, with paging.")
        .Produces<PageView<ClientView>>().ProducesValidationProblem();

        g.MapGet("/{clientId}", async (string clientId, HttpContext context, ClientAdminService clients, CancellationToken ct) =>
        {
            var (ifNoneMatch, malformed) = IfNoneMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            return AdminResults.TaggedUnlessNotModified(context, await clients.GetAsync(clientId, ct), c => c.ETag, ifNoneMatch);
        })
        .WithName("GetClient").WithSummary("Get a client (secret metadata only, never a secret or a hash), with its entity tag in ETag. "
                                           + IfNoneMatchHeader.Note)
        .Produces<ClientView>().Produces(StatusCodes.Status304NotModified).ProducesValidationProblem().ProducesProblem(404);

        g.MapPost("/", async (HttpContext context, ClientAdminService clients, CancellationToken ct) =>
        {
            var (input, problem) = await AdminJson.ReadAsync<ClientInput>(context.Request);
            if (problem is not null) return problem;
            var result = await clients.CreateAsync(input!, AdminActor.Of(context), ct);
            return AdminResults.From(result, created =>
            {
                context.Response.Headers.CacheControl = "no-store";
                context.Response.Headers.ETag = created.Client.ETag;
                return Results.Json(created, AdminJson.Options, statusCode: StatusCodes.Status201Created);
            });
        })
        .WithName("CreateClient").WithSummary("Register a client. A confidential client's first secret is in the response, once.")
        .AcceptsJson<ClientInput>()
        .Produces<ClientCreated>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(409).ProducesProblem(415);

        g.MapPut("/{clientId}", async (string clientId, HttpContext context, ClientAdminService clients, CancellationToken ct) =>
        {
            var (ifMatch, malformed) = IfMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            var (input, problem) = await AdminJson.ReadAsync<ClientInput>(context.Request);
            if (problem is not null) return problem;
            var result = await clients.UpdateAsync(clientId, input!, AdminActor.Of(context), ifMatch, ct);
            return AdminResults.Tagged(context, result, updated => updated.Client.ETag, updated =>
            {
                // A secret issued by the update is in this response only.
                if (updated.ClientSecret is not null) context.Response.Headers.CacheControl = "no-store";
                return Results.Json(updated.ToJson(AdminJson.Options), AdminJson.Options);
            });
        })
        .WithName("ReplaceClient")
        .WithSummary("Replace a client's settings (omitted fields take their defaults). Secrets are kept while the client uses a secret; " +
            "a client moved onto client_secret_basic or client_secret_post without one gets a new secret, in clientSecret, once. " + IfMatchNote)
        .AcceptsJson<ClientInput>()
        .Produces<ReplacedClientView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        g.MapPatch("/{clientId}", async (string clientId, HttpContext context, ClientAdminService clients, CancellationToken ct) =>
        {
            var (ifMatch, malformed) = IfMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            var (input, problem) = await AdminJson.ReadAsync<EnabledPatch>(context.Request);
            if (problem is not null) return problem;
            if (input!.Enabled is not { } enabled) return AdminResults.Problem(AdminError.Invalid("enabled", "is required"));
            return AdminResults.Tagged(context, await clients.SetEnabledAsync(clientId, enabled, AdminActor.Of(context), ifMatch, ct), c => c.ETag);
        })
        .WithName("EnableClient").WithSummary("Enable or disable a client: { \"enabled\": false }. " + IfMatchNote)
        .AcceptsJson<EnabledPatch>()
        .Produces<ClientView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        g.MapDelete("/{clientId}", async (string clientId, HttpContext context, ClientAdminService clients, CancellationToken ct) =>
        {
            var (ifMatch, malformed) = IfMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            return AdminResults.From(await clients.DeleteAsync(clientId, AdminActor.Of(context), ifMatch, ct), _ => Results.NoContent());
        })
        .WithName("DeleteClient").WithSummary("Delete a client; its refresh tokens are revoked and its consents forgotten. " + IfMatchNote)
        .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        g.MapPost("/{clientId}/rotate-secret", async (string clientId, HttpContext context, ClientAdminService clients, CancellationToken ct) =>
        {
            var (ifMatch, malformed) = IfMatchHeader.Read(context.Request);
            if (malformed is not null) return malformed;
            var input = new RotateSecretInput();
            if (context.Request.ContentLength is not 0 && (context.Request.ContentLength is > 0 || context.Request.ContentType is not null))
            {
                var (body, problem) = await AdminJson.ReadAsync<RotateSecretInput>(context.Request);
                if (problem is not null) return problem;
                input = body!;
            }
            var result = await clients.RotateSecretAsync(clientId, input.OverlapSeconds, AdminActor.Of(context), input.Description, ifMatch, ct);
            return AdminResults.Tagged(context, result, rotated => rotated.ETag, rotated =>
            {
                context.Response.Headers.CacheControl = "no-store";
                return Results.Json(rotated, AdminJson.Options);
            });
        })
        .WithName("RotateClientSecret")
        .WithSummary("Issue a new secret (in the response, once); the previous ones stay valid for overlapSeconds (default 86400). " + IfMatchNote)
        .AcceptsJson<RotateSecretInput>(required: false)
        .Produces<SecretRotated>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
    }

    /// <summary>What the changes of a client say about conditional requests.</summary>
    private const string IfMatchNote = "With If-Match (the client's ETag, or *), a client that changed since is left as it is: 412 Precondition Failed.";
}
