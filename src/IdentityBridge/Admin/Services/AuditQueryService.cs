using System.Text.Json;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Audit;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Admin.Services;

/// <summary>Filters for the audit trail; every filter is optional and they combine with AND.</summary>
public sealed record AuditQuery(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Actor = null,
    string? Type = null,
    string? AccountId = null,
    string? ClientId = null,
    bool? Success = null);

/// <summary>Reads the audit trail, newest first.</summary>
public sealed class AuditQueryService(BridgeDbContext db, TimeProvider time, Audit.AuditLog audit)
{
    public async Task<ResultPage<AuditEventView>> QueryAsync(AuditQuery q, PageRequest page, CancellationToken ct = default)
    {
        // Events are stored by a background writer; flush so the answer includes everything recorded so far.
        await audit.FlushAsync(ct);
        var query = db.AuditEvents.AsNoTracking();
        if (q.From is { } from) query = query.Where(e => e.Time >= from);
        if (q.To is { } to) query = query.Where(e => e.Time < to);
        if (!string.IsNullOrWhiteSpace(q.Actor)) query = query.Where(e => e.Actor == q.Actor);
        if (!string.IsNullOrWhiteSpace(q.Type))
        {
            // "client." selects every client event; otherwise the type matches exactly.
            var type = q.Type.Trim();
            query = type.EndsWith('.') ? query.Where(e => e.Type.StartsWith(type)) : query.Where(e => e.Type == type);
        }
        if (!string.IsNullOrWhiteSpace(q.AccountId)) query = query.Where(e => e.AccountId == q.AccountId);
        if (!string.IsNullOrWhiteSpace(q.ClientId)) query = query.Where(e => e.ClientId == q.ClientId);
        if (q.Success is { } success) query = query.Where(e => e.Success == success);
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(e => e.Time).ThenByDescending(e => e.Id).Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new ResultPage<AuditEventView>(items.Select(ToView).ToList(), page.Page, page.PageSize, total);
    }

    /// <summary>Successful sign-ins per UTC day for the last <paramref name="days"/> days, oldest first, today last.</summary>
    public async Task<IReadOnlyList<(DateOnly Day, int Count)>> SignInsPerDayAsync(int days, CancellationToken ct = default)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        var from = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var times = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Type == AuditTypes.SignInSucceeded && e.Success && e.Time >= from)
            .Select(e => e.Time).ToListAsync(ct);
        var counts = times.GroupBy(t => DateOnly.FromDateTime(t.UtcDateTime)).ToDictionary(g => g.Key, g => g.Count());
        return Enumerable.Range(0, days).Select(i => first.AddDays(i)).Select(d => (d, counts.GetValueOrDefault(d))).ToList();
    }

    public static AuditEventView ToView(AuditEvent e) => new(
        e.Id, e.Time, e.Type, e.Actor, e.AccountId, e.ClientId, e.Success, e.Reason, e.RemoteIp, e.RequestId, ParseDetails(e.Details));

    private static JsonElement? ParseDetails(string? json)
    {
        if (json is null) return null;
        try
        {
            return JsonDocument.Parse(json).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
