using IdentityBridge.Federation.Payload;
using IdentityBridge.Provider.Keys;
using IdentityBridge.Provider.Maintenance;
using IdentityBridge.Provider.Notifications;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// The hourly purge deletes the rows that no longer have any use, each once its grace period has passed, and
/// keeps every row that is still live, still within its grace, or still referred to. Rows are stored with
/// instants relative to the host's clock, so nothing waits.
/// </summary>
public sealed class RetentionTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private DateTimeOffset Now => host.Clock.GetUtcNow();

    private Task PurgeAsync() => host.Services.GetRequiredService<DatabaseRetention>().PurgeAsync(CancellationToken.None);

    [Fact]
    public async Task A_session_long_expired_and_referred_to_by_no_grant_is_deleted_with_its_clients()
    {
        // Ended by the expiry job when it expired, or by a logout before.
        var old = await AddSessionAsync(expiresAt: Now - DatabaseRetention.SessionGrace - Minute, endedAt: Now - DatabaseRetention.SessionGrace - Minute);
        var ended = await AddSessionAsync(expiresAt: Now - DatabaseRetention.SessionGrace - Minute, endedAt: Now - DatabaseRetention.SessionGrace - TimeSpan.FromHours(2));

        await PurgeAsync();

        Assert.False(await SessionExistsAsync(old));
        Assert.False(await SessionExistsAsync(ended));
        Assert.False(await host.WithDbAsync(db => db.SessionClients.AnyAsync(c => c.SessionId == old || c.SessionId == ended)));
    }

    [Fact]
    public async Task A_session_that_is_live_within_its_grace_or_referred_to_by_a_grant_is_kept()
    {
        var live = await AddSessionAsync(expiresAt: Now + TimeSpan.FromHours(1));
        var endedLately = await AddSessionAsync(expiresAt: Now + TimeSpan.FromHours(1), endedAt: Now - TimeSpan.FromDays(1));
        var withinGrace = await AddSessionAsync(expiresAt: Now - DatabaseRetention.SessionGrace + Minute);
        // An offline refresh token outlives its session; while it exists an administrator can still revoke the session to end it.
        var referred = await AddSessionAsync(expiresAt: Now - DatabaseRetention.SessionGrace - Minute);
        await AddGrantAsync(GrantTypes.RefreshToken, referred, expiresAt: Now + TimeSpan.FromDays(10));

        await PurgeAsync();

        foreach (var id in new[] { live, endedLately, withinGrace, referred })
            Assert.True(await SessionExistsAsync(id), id);
        Assert.True(await host.WithDbAsync(db => db.SessionClients.AnyAsync(c => c.SessionId == referred)));
    }

    [Fact]
    public async Task An_expired_session_is_kept_until_it_has_been_ended_and_its_clients_told()
    {
        // A bridge stopped for longer than the grace: the purge must not take a session before the expiry job has
        // ended it and sent its clients their logout tokens; after that, the next purge deletes it.
        var unended = await AddSessionAsync(expiresAt: Now - DatabaseRetention.SessionGrace - Minute);

        await PurgeAsync();
        Assert.True(await SessionExistsAsync(unended));

        await host.Services.GetRequiredService<SessionExpiry>().EndExpiredAsync(CancellationToken.None);
        Assert.Contains(host.BackChannel.Requests, r => SidOf(r.Body) == unended);
        await PurgeAsync();
        Assert.False(await SessionExistsAsync(unended));
    }

    [Fact]
    public async Task A_sign_in_request_is_deleted_only_once_its_grace_after_expiry_has_passed()
    {
        var old = await AddSignInRequestAsync(SignInStatuses.Expired, expiresAt: Now - DatabaseRetention.SignInRequestGrace - Minute);
        var oldCiba = await AddSignInRequestAsync(SignInStatuses.Completed, expiresAt: Now - DatabaseRetention.SignInRequestGrace - Minute, kind: SignInKinds.Ciba);
        var expiredLately = await AddSignInRequestAsync(SignInStatuses.Pending, expiresAt: Now - DatabaseRetention.SignInRequestGrace + Minute, kind: SignInKinds.Ciba);
        var pending = await AddSignInRequestAsync(SignInStatuses.Pending, expiresAt: Now + TimeSpan.FromMinutes(5));

        await PurgeAsync();

        var left = await host.WithDbAsync(db => db.SignInRequests.Where(r => new[] { old, oldCiba, expiredLately, pending }.Contains(r.Id)).Select(r => r.Id).ToListAsync());
        Assert.Equal(new[] { expiredLately, pending }.Order(), left.Order());
    }

    [Fact]
    public async Task A_webhook_delivery_is_deleted_only_once_its_grace_after_arrival_has_passed()
    {
        var old = await AddDeliveryAsync(receivedAt: Now - DatabaseRetention.WebhookDeliveryGrace - Minute, processed: true);
        var abandoned = await AddDeliveryAsync(receivedAt: Now - DatabaseRetention.WebhookDeliveryGrace - Minute, processed: false);
        var recent = await AddDeliveryAsync(receivedAt: Now - DatabaseRetention.WebhookDeliveryGrace + Minute, processed: true);
        var inFlight = await AddDeliveryAsync(receivedAt: Now, processed: false);

        await PurgeAsync();

        var left = await host.WithDbAsync(db => db.WebhookDeliveries.Where(d => new[] { old, abandoned, recent, inFlight }.Contains(d.ReferenceCallUuid)).Select(d => d.ReferenceCallUuid).ToListAsync());
        Assert.Equal(new[] { recent, inFlight }.Order(), left.Order());
    }

    [Fact]
    public async Task A_user_token_is_deleted_only_once_its_grace_after_expiry_has_passed()
    {
        var old = await AddUserTokenAsync(expiresAt: Now - DatabaseRetention.UserTokenGrace - Minute, revokedAt: Now - TimeSpan.FromDays(20));
        var oldUnswept = await AddUserTokenAsync(expiresAt: Now - DatabaseRetention.UserTokenGrace - Minute, revokedAt: null);
        var expiredLately = await AddUserTokenAsync(expiresAt: Now - DatabaseRetention.UserTokenGrace + Minute, revokedAt: Now - DatabaseRetention.UserTokenGrace);
        var revokedLive = await AddUserTokenAsync(expiresAt: Now + TimeSpan.FromDays(10), revokedAt: Now - TimeSpan.FromDays(20));
        var live = await AddUserTokenAsync(expiresAt: Now + TimeSpan.FromDays(10), revokedAt: null);

        await PurgeAsync();

        var left = await host.WithDbAsync(db => db.UserTokens.Where(t => new[] { old, oldUnswept, expiredLately, revokedLive, live }.Contains(t.TokenHash)).Select(t => t.TokenHash).ToListAsync());
        Assert.Equal(new[] { expiredLately, revokedLive, live }.Order(), left.Order());
    }

    [Fact]
    public async Task A_generated_signing_key_is_deleted_once_its_grace_after_leaving_the_jwks_has_passed_and_an_imported_one_never()
    {
        var old = await AddSigningKeyAsync("generated", expiresAt: Now - DatabaseRetention.SigningKeyGrace - Minute);
        var revoked = await AddSigningKeyAsync("generated", expiresAt: Now - DatabaseRetention.SigningKeyGrace - Minute, revoked: true);
        var lately = await AddSigningKeyAsync("generated", expiresAt: Now - DatabaseRetention.SigningKeyGrace + Minute);
        // A stored imported key is what keeps its PEM file, if still in Bridge:Keys:ImportPath, from being imported (and signing) again.
        var imported = await AddSigningKeyAsync("imported", expiresAt: Now - DatabaseRetention.SigningKeyGrace - Minute);

        await PurgeAsync();

        var left = await host.WithDbAsync(db => db.SigningKeys.Where(k => new[] { old, revoked, lately, imported }.Contains(k.Id)).Select(k => k.Id).ToListAsync());
        Assert.Equal(new[] { lately, imported }.Order(), left.Order());
        Assert.True(host.Services.GetRequiredService<SigningKeyStore>().HasSigner(SigningKeyMaterial.RS256));
    }

    [Fact]
    public async Task Expired_grants_are_still_deleted_a_day_after_expiry()
    {
        var old = await AddGrantAsync(GrantTypes.AuthorizationCode, null, expiresAt: Now - DatabaseRetention.GrantGrace - Minute);
        var lately = await AddGrantAsync(GrantTypes.AuthorizationCode, null, expiresAt: Now - DatabaseRetention.GrantGrace + Minute);

        await PurgeAsync();

        Assert.False(await host.WithDbAsync(db => db.Grants.AnyAsync(g => g.Key == old)));
        Assert.True(await host.WithDbAsync(db => db.Grants.AnyAsync(g => g.Key == lately)));
    }

    [Fact]
    public async Task Replay_markers_are_deleted_as_soon_as_they_expire()
    {
        // A DPoP proof's or a client assertion's jti only refuses a replay while the proof or assertion could still be
        // accepted: once expired it protects nothing, and DPoP adds one per request, so no day's grace for them.
        var proof = await AddGrantAsync(GrantTypes.DPoPProof, null, expiresAt: Now - Minute);
        var assertion = await AddGrantAsync(GrantTypes.ClientAssertion, null, expiresAt: Now - Minute);
        var liveProof = await AddGrantAsync(GrantTypes.DPoPProof, null, expiresAt: Now + Minute);
        var code = await AddGrantAsync(GrantTypes.AuthorizationCode, null, expiresAt: Now - Minute);

        await PurgeAsync();

        Assert.False(await host.WithDbAsync(db => db.Grants.AnyAsync(g => g.Key == proof)));
        Assert.False(await host.WithDbAsync(db => db.Grants.AnyAsync(g => g.Key == assertion)));
        Assert.True(await host.WithDbAsync(db => db.Grants.AnyAsync(g => g.Key == liveProof)));
        Assert.True(await host.WithDbAsync(db => db.Grants.AnyAsync(g => g.Key == code)));
    }

    [Fact]
    public async Task A_pending_notification_is_kept_while_due_and_for_a_day_after_its_delivery_window()
    {
        // The retry service deletes a notification once delivered or failed for good, and reports one it finds past its
        // window; the purge only takes what a bridge stopped for longer than the grace left behind.
        var window = ClientNotificationOutbox.DeliveryWindow;
        var due = await AddNotificationAsync(createdAt: Now - TimeSpan.FromMinutes(50), due: Now - TimeSpan.FromMinutes(45));
        var scheduled = await AddNotificationAsync(createdAt: Now, due: Now + Minute);
        var pastWindow = await AddNotificationAsync(createdAt: Now - window - DatabaseRetention.GrantGrace + Minute, due: Now - DatabaseRetention.GrantGrace);
        var leftBehind = await AddNotificationAsync(createdAt: Now - window - DatabaseRetention.GrantGrace - Minute, due: Now - DatabaseRetention.GrantGrace - window);

        await PurgeAsync();

        var left = await host.WithDbAsync(db => db.Grants.Where(g => new[] { due, scheduled, pastWindow, leftBehind }.Contains(g.Key)).Select(g => g.Key).ToListAsync());
        Assert.Equal(new[] { due, scheduled, pastWindow }.Order(), left.Order());
        Assert.Contains(due, (await host.Services.GetRequiredService<ClientNotificationOutbox>().DueAsync(100, CancellationToken.None)).Select(d => d.Key));
    }

    private async Task<string> AddNotificationAsync(DateTimeOffset createdAt, DateTimeOffset due)
    {
        var key = TokenHashes.Key(TokenHashes.NewHandle());
        await host.WithDbAsync(async db =>
        {
            db.Grants.Add(new Grant
            {
                Key = key, Type = GrantTypes.ClientNotification, ClientId = TestClients.Web, FamilyId = ClientNotificationOutbox.Queue,
                CreatedAt = createdAt, ExpiresAt = createdAt + ClientNotificationOutbox.DeliveryWindow, ConsumedAt = due,
                Data = """{"kind":"backchannel_logout","attempt":2,"delay_ms":4000,"fields":{}}""",
            });
            await db.SaveChangesAsync();
        });
        return key;
    }

    [Fact]
    public async Task More_rows_than_one_batch_are_all_deleted_in_one_run()
    {
        var ids = Enumerable.Range(0, DatabaseRetention.BatchSize + 5).Select(_ => UrlSafe.NewId(16)).ToList();
        await host.WithDbAsync(async db =>
        {
            db.WebhookDeliveries.AddRange(ids.Select(id => new WebhookDelivery
            {
                ReferenceCallUuid = id, PayloadUuid = id, ReceivedAt = Now - DatabaseRetention.WebhookDeliveryGrace - Minute, ProcessedAt = Now,
            }));
            await db.SaveChangesAsync();
        });

        await PurgeAsync();

        Assert.False(await host.WithDbAsync(db => db.WebhookDeliveries.AnyAsync(d => ids.Contains(d.ReferenceCallUuid))));
    }

    private async Task<string> AddSessionAsync(DateTimeOffset expiresAt, DateTimeOffset? endedAt = null)
    {
        var id = UrlSafe.NewId(16);
        await host.WithDbAsync(async db =>
        {
            db.Sessions.Add(new Session
            {
                Id = id, AccountId = "acct-" + id, Wallet = TestWallets.New(), Method = "xumm-oidc",
                AuthTime = expiresAt - TimeSpan.FromHours(10), LastSeenAt = expiresAt - TimeSpan.FromHours(10), ExpiresAt = expiresAt, EndedAt = endedAt,
                Clients = [new SessionClient { SessionId = id, ClientId = TestClients.Web, FirstSeenAt = expiresAt - TimeSpan.FromHours(10) }],
            });
            await db.SaveChangesAsync();
        });
        return id;
    }

    private Task<bool> SessionExistsAsync(string id) => host.WithDbAsync(db => db.Sessions.AnyAsync(s => s.Id == id));

    private async Task<string> AddGrantAsync(string type, string? sessionId, DateTimeOffset expiresAt)
    {
        var key = TokenHashes.Key(TokenHashes.NewHandle());
        await host.WithDbAsync(async db =>
        {
            db.Grants.Add(new Grant
            {
                Key = key, Type = type, ClientId = TestClients.Web, SessionId = sessionId, FamilyId = UrlSafe.NewId(16),
                CreatedAt = expiresAt - TimeSpan.FromDays(30), ExpiresAt = expiresAt, Data = "{}",
            });
            await db.SaveChangesAsync();
        });
        return key;
    }

    private async Task<string> AddSignInRequestAsync(string status, DateTimeOffset expiresAt, string kind = SignInKinds.Qr)
    {
        var id = UrlSafe.NewId(16);
        await host.WithDbAsync(async db =>
        {
            db.SignInRequests.Add(new SignInRequest
            {
                Id = id, Kind = kind, PayloadUuid = Guid.NewGuid().ToString(), Status = status,
                CreatedAt = expiresAt - TimeSpan.FromMinutes(5), ExpiresAt = expiresAt,
            });
            await db.SaveChangesAsync();
        });
        return id;
    }

    private async Task<string> AddDeliveryAsync(DateTimeOffset receivedAt, bool processed)
    {
        var id = Guid.NewGuid().ToString();
        await host.WithDbAsync(async db =>
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                ReferenceCallUuid = id, PayloadUuid = Guid.NewGuid().ToString(), ReceivedAt = receivedAt, ProcessedAt = processed ? receivedAt + TimeSpan.FromSeconds(1) : null,
            });
            await db.SaveChangesAsync();
        });
        return id;
    }

    private async Task<string> AddUserTokenAsync(DateTimeOffset expiresAt, DateTimeOffset? revokedAt)
    {
        var hash = UrlSafe.NewId(32);
        await host.WithDbAsync(async db =>
        {
            db.UserTokens.Add(new UserToken
            {
                AccountId = "acct-" + hash, Wallet = TestWallets.New(), TokenHash = hash, ProtectedToken = "unused",
                IssuedAt = expiresAt - TimeSpan.FromDays(30), ExpiresAt = expiresAt, RevokedAt = revokedAt,
            });
            await db.SaveChangesAsync();
        });
        return hash;
    }

    private async Task<string> AddSigningKeyAsync(string source, DateTimeOffset expiresAt, bool revoked = false)
    {
        using var material = SigningKeyMaterial.Generate(SigningKeyMaterial.ES256);
        var protector = host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(SigningKeyStore.ProtectionPurpose);
        var activates = expiresAt - TimeSpan.FromDays(100);
        await host.WithDbAsync(async db =>
        {
            db.SigningKeys.Add(new SigningKey
            {
                Id = material.KeyId, Algorithm = material.Algorithm, Source = source, PublicJwk = material.PublicJwkJson,
                ProtectedPrivateKey = protector.Protect(Convert.ToBase64String(material.ExportPkcs8())),
                CreatedAt = activates, ActivatesAt = activates,
                RetiresAt = revoked ? expiresAt : expiresAt - TimeSpan.FromDays(2), ExpiresAt = expiresAt,
            });
            await db.SaveChangesAsync();
        });
        return material.KeyId;
    }

    private static string? SidOf(string body) =>
        QueryHelpers.ParseQuery(body).TryGetValue("logout_token", out var t) ? new JsonWebToken(t.ToString()).GetPayloadValue<string>("sid") : null;
}
