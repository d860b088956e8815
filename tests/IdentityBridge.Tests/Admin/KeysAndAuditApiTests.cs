using System.Net;
using IdentityBridge.Admin.Services;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Admin;

public sealed class KeysAndAuditApiTests(KeysAndAuditApiTests.Host host) : IClassFixture<KeysAndAuditApiTests.Host>
{
    public sealed class Host : AdminHost
    {
        public Host()
        {
            // The retention test runs the purge itself: the daily service's run at start could otherwise delete the old
            // event first, concurrently, and leave the test's own run nothing to count.
            var admin = ConfigureTestServices;
            ConfigureTestServices = services =>
            {
                admin?.Invoke(services);
                foreach (var daily in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(AuditRetentionService)).ToList())
                    services.Remove(daily);
            };
        }
    }

    [Fact]
    public async Task Keys_rotate_list_and_retire_without_exposing_private_keys()
    {
        var (api, admin) = await host.AdminApiAsync();
        var first = await api.PostAsync("/admin/api/keys/rotate", Json.Body(new { algorithm = "RS256" }));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstKid = (await Json.ReadAsync(first)).GetProperty("kid").GetString()!;
        var second = await Json.ReadAsync(await api.PostAsync("/admin/api/keys/rotate", null));
        var secondKid = second.GetProperty("kid").GetString()!;
        Assert.Equal("active", second.GetProperty("status").GetString());
        Assert.Equal("RSA", second.GetProperty("publicJwk").GetProperty("kty").GetString());

        var listText = await api.GetStringAsync("/admin/api/keys");
        Assert.DoesNotContain("protectedPrivateKey", listText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"d\"", listText);
        var list = System.Text.Json.JsonDocument.Parse(listText).RootElement;
        Assert.Equal("retired", list.EnumerateArray().Single(k => k.GetProperty("kid").GetString() == firstKid).GetProperty("status").GetString());

        // The last key signing with an algorithm cannot be retired; a retired one cannot be retired again.
        await Json.ProblemAsync(await api.PostAsync($"/admin/api/keys/{secondKid}/retire", null), 409);
        await Json.ProblemAsync(await api.PostAsync($"/admin/api/keys/{firstKid}/retire", null), 409);
        await Json.ProblemAsync(await api.PostAsync("/admin/api/keys/nope/retire", null), 404);

        var ec = await Json.ReadAsync(await api.PostAsync("/admin/api/keys/rotate", Json.Body(new { algorithm = "ES256" })));
        Assert.Equal("EC", ec.GetProperty("publicJwk").GetProperty("kty").GetString());
        var third = await Json.ReadAsync(await api.PostAsync("/admin/api/keys/rotate", Json.Body(new { algorithm = "RS256" })));
        Assert.NotEqual(secondKid, third.GetProperty("kid").GetString());

        var bad = await api.PostAsync("/admin/api/keys/rotate", Json.Body(new { algorithm = "HS256" }));
        Assert.True((await Json.ProblemAsync(bad, 400)).GetProperty("errors").TryGetProperty("algorithm", out _));
        // One event per operation, naming the administrator (not a second one by "system").
        var thirdKid = third.GetProperty("kid").GetString()!;
        var rotated = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Type == "key.rotated" && e.Details!.Contains(thirdKid)).ToListAsync());
        Assert.Equal(admin, Assert.Single(rotated).Actor);
    }

    [Fact]
    public async Task Keys_can_be_retired_once_another_key_signs()
    {
        var (api, admin) = await host.AdminApiAsync();
        var kid = (await Json.ReadAsync(await api.PostAsync("/admin/api/keys/rotate", Json.Body(new { algorithm = "ES256" })))).GetProperty("kid").GetString()!;
        await host.WithDbAsync(async db =>
        {
            var now = host.Clock.GetUtcNow();
            db.SigningKeys.Add(new SigningKey { Id = "other-" + kid, Algorithm = "ES256", ProtectedPrivateKey = "x", PublicJwk = "{}", CreatedAt = now, ActivatesAt = now });
            return await db.SaveChangesAsync();
        });
        var retired = await Json.ReadAsync(await api.PostAsync($"/admin/api/keys/{kid}/retire", null));
        Assert.Equal("retired", retired.GetProperty("status").GetString());
        var events = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Type == "key.retired" && e.Details!.Contains(kid)).ToListAsync());
        Assert.Equal(admin, Assert.Single(events).Actor);
    }

    [Fact]
    public async Task Revoke_takes_a_key_out_at_once_is_audited_and_described_in_openapi()
    {
        var (api, admin) = await host.AdminApiAsync();
        var kid = (await Json.ReadAsync(await api.PostAsync("/admin/api/keys/rotate", Json.Body(new { algorithm = "ES256" })))).GetProperty("kid").GetString()!;

        var response = await api.PostAsync($"/admin/api/keys/{kid}/revoke", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var revoked = await Json.ReadAsync(response);
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        var now = host.Clock.GetUtcNow();
        Assert.True(revoked.GetProperty("expiresAt").GetDateTimeOffset() <= now);
        Assert.True(revoked.GetProperty("retiresAt").GetDateTimeOffset() <= now);

        var list = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync("/admin/api/keys")).RootElement.EnumerateArray().ToList();
        Assert.Equal("revoked", list.Single(k => k.GetProperty("kid").GetString() == kid).GetProperty("status").GetString());
        // It was the ES256 signer: another ES256 key signs in its place.
        Assert.Contains(list, k => k.GetProperty("algorithm").GetString() == "ES256" && k.GetProperty("status").GetString() == "active");
        Assert.True(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == "key.revoked" && e.Actor == admin && e.Details!.Contains(kid))));

        // A revoked key no longer signs: retiring it is refused like retiring any retired key.
        await Json.ProblemAsync(await api.PostAsync($"/admin/api/keys/{kid}/retire", null), 409);
        await Json.ProblemAsync(await api.PostAsync("/admin/api/keys/nope/revoke", null), 404);

        var doc = await Json.ReadAsync(await api.GetAsync("/admin/openapi.json"));
        var operation = doc.GetProperty("paths").GetProperty("/admin/api/keys/{kid}/revoke").GetProperty("post");
        Assert.Equal("RevokeKey", operation.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrEmpty(operation.GetProperty("summary").GetString()));
        Assert.True(operation.GetProperty("responses").TryGetProperty("200", out _));
        Assert.True(operation.GetProperty("responses").TryGetProperty("404", out _));
    }

    [Fact]
    public async Task Audit_query_filters_pages_and_orders_newest_first()
    {
        var (api, admin) = await host.AdminApiAsync();
        var start = host.Clock.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            await api.PostAsync("/admin/api/clients", Json.Body(new { clientId = $"audit-{i}", redirectUris = new[] { "https://a.example/cb" } }));
            host.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        var page = await Json.ReadAsync(await api.GetAsync($"/admin/api/audit?actor={admin}&type=client.created&pageSize=2"));
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(["audit-2", "audit-1"], page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("clientId").GetString()!).ToArray());
        var second = await Json.ReadAsync(await api.GetAsync($"/admin/api/audit?actor={admin}&type=client.created&pageSize=2&page=2"));
        Assert.Equal("audit-0", second.GetProperty("items")[0].GetProperty("clientId").GetString());

        var window = await Json.ReadAsync(await api.GetAsync(
            $"/admin/api/audit?clientId=audit-1&from={Uri.EscapeDataString(start.AddSeconds(30).ToString("O"))}&to={Uri.EscapeDataString(start.AddMinutes(2).ToString("O"))}"));
        Assert.Equal(1, window.GetProperty("total").GetInt32());
        var evt = window.GetProperty("items")[0];
        Assert.Equal("client.created", evt.GetProperty("type").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Object, evt.GetProperty("details").ValueKind);

        var prefix = await Json.ReadAsync(await api.GetAsync($"/admin/api/audit?actor={admin}&type=client."));
        Assert.Equal(3, prefix.GetProperty("total").GetInt32());

        foreach (var bad in new[] { "from=yesterday", "pageSize=0", "pageSize=201", "success=perhaps" })
            await Json.ProblemAsync(await api.GetAsync("/admin/api/audit?" + bad), 400);
        var inverted = await api.GetAsync($"/admin/api/audit?from=2026-12-01&to=2026-11-01");
        Assert.True((await Json.ProblemAsync(inverted, 400)).GetProperty("errors").TryGetProperty("from", out _));
    }

    [Fact]
    public async Task Retention_deletes_events_older_than_the_configured_days()
    {
        var now = host.Clock.GetUtcNow();
        await host.WithDbAsync(async db =>
        {
            db.AuditEvents.Add(new AuditEvent { Type = "test.old", Actor = "system", Time = now.AddDays(-400) });
            db.AuditEvents.Add(new AuditEvent { Type = "test.recent", Actor = "system", Time = now.AddDays(-300) });
            return await db.SaveChangesAsync();
        });
        var deleted = await host.Services.GetRequiredService<AuditRetention>().PurgeAsync();
        Assert.True(deleted >= 1);
        Assert.False(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == "test.old")));
        Assert.True(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == "test.recent")));

        host.Clock.Advance(TimeSpan.FromDays(70));
        await host.Services.GetRequiredService<AuditRetention>().PurgeAsync();
        Assert.False(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == "test.recent")));
    }
}
