using IdentityBridge.Admin.Authentication;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;

namespace IdentityBridge.Admin.Api;

/// <summary>Bridge sessions: per account, and revocation.</summary>
internal static class SessionsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/accounts/{accountId}/sessions", async (string accountId, SessionAdminService sessions, string? all, string? page, string? pageSize, CancellationToken ct) =>
        {
            var errors = new FieldErrors();
            var paging = PageRequest.Parse(page, pageSize, errors);
            var includeEnded = QueryValues.Bool(all, "all", errors) ?? false;
            if (errors.Any) return AdminResults.Problem(AdminError.Invalid(errors));
            return AdminResults.From(await sessions.ListForAccountAsync(accountId, includeEnded, paging, ct), p => AdminResults.Json(AdminResults.View(p)));
        })
        .WithTags("Sessions").WithName("ListAccountSessions").WithSummary("An account's live sessions (all=true includes ended ones), newest first.")
        .Produces<PageView<SessionView>>().ProducesValidationProblem().ProducesProblem(404);

        api.MapDelete("/sessions/{sessionId}", async (string sessionId, HttpContext context, SessionAdminService sessions, CancellationToken ct) =>
            AdminResults.Ok(await sessions.RevokeAsync(sessionId, AdminActor.Of(context), ct)))
        .WithTags("Sessions").WithName("RevokeSession").WithSummary("End a session: the tokens issued within it (refresh tokens, offline_access included, and the access tokens issued from them) are revoked, and its clients get a back-channel logout. A session that has ended already loses the offline_access tokens that outlived its end.")
        .Produces<SessionView>().ProducesProblem(404);
    }
}
