using System.Reflection;
using IdentityBridge.Admin.Api;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using IdentityBridge.Audit;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.Admin.Audit;

public sealed class AuditModel(AuditQueryService audit) : AdminPageModel
{
    /// <summary>Every event type the bridge writes, for the filter.</summary>
    public static readonly string[] KnownTypes = typeof(AuditTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal).ToArray();

    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "actor")] public string? ActorFilter { get; set; }
    [BindProperty(SupportsGet = true)] public string? Type { get; set; }
    [BindProperty(SupportsGet = true)] public string? AccountId { get; set; }
    [BindProperty(SupportsGet = true)] public string? ClientId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Result { get; set; }
    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;

    public ResultPage<AuditEventView> Results { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);

    public async Task OnGetAsync(CancellationToken ct)
    {
        var errors = new FieldErrors();
        var from = QueryValues.Instant(From, "from", errors);
        var to = QueryValues.Instant(To, "to", errors);
        // A day picked as "to" includes that whole day.
        if (to is { } t && To is { Length: 10 }) to = t.AddDays(1);
        var query = new AuditQuery(from, to,
            QueryValues.Text(ActorFilter, "actor", 200, errors),
            QueryValues.Text(Type, "type", 64, errors),
            QueryValues.Text(AccountId, "accountId", 64, errors),
            QueryValues.Text(ClientId, "clientId", 200, errors),
            Result switch { "success" => true, "failure" => false, _ => null });
        if (errors.Any)
        {
            Show(AdminError.Invalid(errors), "Filter");
            return;
        }
        Results = await audit.QueryAsync(query, new PageRequest(Math.Clamp(PageNumber, 1, PageRequest.MaxPage), PageRequest.DefaultPageSize), ct);
    }

    public static string Pretty(System.Text.Json.JsonElement details) =>
        System.Text.Json.JsonSerializer.Serialize(details, new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
}
