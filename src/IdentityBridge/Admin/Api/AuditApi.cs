using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;

namespace IdentityBridge.Admin.Api;

/// <summary>/admin/api/audit: the audit trail, newest first.</summary>
internal static class AuditApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/audit", async (AuditQueryService audit, string? from, string? to, string? actor, string? type, string? accountId, string? clientId,
            string? success, string? page, string? pageSize, CancellationToken ct) =>
        {
            var errors = new FieldErrors();
            var paging = PageRequest.Parse(page, pageSize, errors);
            var query = new AuditQuery(
                QueryValues.Instant(from, "from", errors),
                QueryValues.Instant(to, "to", errors),
                QueryValues.Text(actor, "actor", 200, errors),
                QueryValues.Text(type, "type", 64, errors),
                QueryValues.Text(accountId, "accountId", 64, errors),
                QueryValues.Text(clientId, "clientId", 200, errors),
                QueryValues.Bool(success, "success", errors));
            if (query.From is { } f && query.To is { } t && f > t) errors.Add("from", "must not be after 'to'");
            if (errors.Any) return AdminResults.Problem(AdminError.Invalid(errors));
            return AdminResults.Json(AdminResults.View(await audit.QueryAsync(query, paging, ct)));
        })
        .WithTags("Audit").WithName("QueryAudit")
        .WithSummary("Audit events between from (inclusive) and to (exclusive), by actor, type (exact, or a prefix ending in '.'), account, client, success.")
        .Produces<PageView<AuditEventView>>().ProducesValidationProblem();
    }
}
