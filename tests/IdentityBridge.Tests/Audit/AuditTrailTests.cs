using IdentityBridge.Audit;
using IdentityBridge.Storage.Entities;
using Microsoft.Extensions.Logging.Abstractions;

namespace IdentityBridge.Tests.Audit;

/// <summary>The audit trail's own defences: what it stores is bounded and printable, and anonymous traffic cannot push real events out.</summary>
public sealed class AuditTrailTests
{
    private static List<AuditEvent> Drain(AuditQueue queue)
    {
        var events = new List<AuditEvent>();
        while (queue.Reader.TryRead(out var item))
            if (item is AuditEvent evt) events.Add(evt);
        return events;
    }

    [Fact]
    public async Task Free_text_fields_lose_their_control_characters_and_are_bounded()
    {
        var queue = new AuditQueue(null!);
        var log = new AuditLog(queue, TimeProvider.System, new HttpContextAccessor(), NullLogger<AuditLog>.Instance);
        var forged = "x\n12:00:00 warn: IdentityBridge.Audit.AuditLog[0] Audit admin.role_granted actor=SYSTEM\r\u0007\u001b[31m";

        await log.WriteAsync("signin.failed" + new string('t', 200), forged + new string('a', 9000), accountId: forged, clientId: forged + new string('c', 9000),
            success: false, reason: forged + new string('r', 9000));

        var stored = Assert.Single(Drain(queue));
        foreach (var field in new[] { stored.Type, stored.Actor, stored.AccountId!, stored.ClientId!, stored.Reason! })
        {
            Assert.DoesNotContain(field, char.IsControl);
            Assert.InRange(field.Length, 1, 512);
        }
        Assert.InRange(stored.Type.Length, 1, 64);
        Assert.StartsWith("x 12:00:00 warn", stored.Actor, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flood_of_anonymous_events_does_not_push_genuine_events_out_of_the_queue()
    {
        var queue = new AuditQueue(null!);
        queue.Enqueue(new AuditEvent { Type = AuditTypes.RoleGranted, Actor = "admin-account", Time = DateTimeOffset.UtcNow });

        for (var i = 0; i < 150_000; i++)
            queue.Enqueue(new AuditEvent { Type = "xumm.webhook_refused", Actor = "anonymous", Success = false, Time = DateTimeOffset.UtcNow });
        queue.Enqueue(new AuditEvent { Type = AuditTypes.RoleRevoked, Actor = "admin-account", Time = DateTimeOffset.UtcNow });

        var events = Drain(queue);
        Assert.Contains(events, e => e.Type == AuditTypes.RoleGranted);
        Assert.Contains(events, e => e.Type == AuditTypes.RoleRevoked);
        Assert.InRange(events.Count(e => e.Actor == "anonymous"), 1, 10_000);
    }
}
