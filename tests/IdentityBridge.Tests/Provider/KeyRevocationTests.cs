using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using IdentityBridge.Clients;
using IdentityBridge.Operations;
using IdentityBridge.Provider.Keys;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// Revoking a compromised signing key: it leaves the JWKS at once and nothing it signed is accepted any more,
/// by the bridge's own validators (userinfo, introspection, the admin API) included.
/// </summary>
public sealed class KeyRevocationTests
{
    private const string Service = "key-admin-service";
    private const string ServiceSecret = "key-admin-service-secret";

    /// <summary>A node with generated keys and a client allowed the admin API with its own credentials.</summary>
    private sealed class Node : ProviderHost
    {
        public Node(string? connectionString = null) : base(connectionString, importTestKeys: false) =>
            MoreServices = services =>
            {
                services.AddSingleton<IBridgeInitializer, ServiceSeeder>();
                services.ConfigureDbContext<BridgeDbContext>(o => o.AddInterceptors(KeyInserts));
            };

        /// <summary>When armed, a save that adds a signing key fails (a database refusing the write).</summary>
        public KeyInsertFault KeyInserts { get; } = new();

        public SigningKeyStore Keys => Services.GetRequiredService<SigningKeyStore>();

        public async Task<string> AdminTokenAsync()
        {
            var response = await new OidcDriver(this).TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "bridge.admin" }, Service, ServiceSecret);
            return (await OidcDriver.Json(response, HttpStatusCode.OK)).GetProperty("access_token").GetString()!;
        }

        public HttpClient Admin(string token)
        {
            var client = CreateApiClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        public async Task<string[]> JwksKidsAsync() =>
            new JsonWebKeySet(await CreateApiClient().GetStringAsync("/.well-known/jwks.json")).Keys.Select(k => k.Kid).ToArray();

        /// <summary>Introspection by the admin client, which sees every token.</summary>
        public async Task<bool> ActiveAsync(string token)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
            request.Headers.Authorization = OidcDriver.Basic(Service, ServiceSecret);
            return (await OidcDriver.Json(await CreateApiClient().SendAsync(request), HttpStatusCode.OK)).GetProperty("active").GetBoolean();
        }

        public async Task<List<AuditEvent>> RevokedEventsAsync(string kid)
        {
            await Services.GetRequiredService<IdentityBridge.Audit.AuditLog>().FlushAsync();
            await using var scope = Services.CreateAsyncScope();
            var events = await scope.ServiceProvider.GetRequiredService<BridgeDbContext>().AuditEvents.AsNoTracking().Where(e => e.Type == "key.revoked").ToListAsync();
            return events.Where(e => e.Details is not null && JsonDocument.Parse(e.Details).RootElement.GetProperty("kid").GetString() == kid).ToList();
        }
    }

    public sealed class KeyInsertFault : Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesInterceptor
    {
        public bool Armed { get; set; }

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int>> SavingChangesAsync(
            Microsoft.EntityFrameworkCore.Diagnostics.DbContextEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            if (Armed && eventData.Context!.ChangeTracker.Entries<SigningKey>().Any(e => e.State == EntityState.Added))
                throw new DbUpdateException("The database refused to store the key.");
            return ValueTask.FromResult(result);
        }
    }

    private sealed class ServiceSeeder : IBridgeInitializer
    {
        public int Order => 51;

        public async Task InitializeAsync(IServiceProvider services, CancellationToken ct)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BridgeDbContext>();
            if (await db.Clients.AnyAsync(c => c.ClientId == Service, ct)) return;
            var client = new Client
            {
                ClientId = Service,
                ClientName = "Key admin service",
                ClientType = ClientTypes.Confidential,
                RedirectUris = "[]",
                PostLogoutRedirectUris = "[]",
                AllowedScopes = "bridge.admin",
                AllowedGrantTypes = "client_credentials",
            };
            client.Secrets.Add(new ClientSecret { ClientId = Service, Hash = ClientSecretHasher.Hash(ServiceSecret), CreatedAt = DateTimeOffset.UnixEpoch });
            db.Clients.Add(client);
            await db.SaveChangesAsync(ct);
        }
    }

    [Fact]
    public async Task Revoking_the_signing_key_refuses_everything_it_signed_at_once_and_a_new_key_signs()
    {
        await using var host = new Node();
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var access = tokens.GetProperty("access_token").GetString()!;
        var idToken = tokens.GetProperty("id_token").GetString()!;
        var admin = await host.AdminTokenAsync();
        var kid = OidcDriver.Jwt(access).Kid;
        var reader = host.Services.GetRequiredService<OwnTokenReader>();
        Assert.NotNull(await reader.ReadAsync(idToken, "JWT"));
        Assert.Equal(kid, OidcDriver.Jwt(admin).Kid);
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(access)).StatusCode);
        Assert.True(await host.ActiveAsync(access));

        var response = await host.Admin(admin).PostAsync($"/admin/api/keys/{kid}/revoke", null);
        var revoked = await OidcDriver.Json(response, HttpStatusCode.OK);
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());

        Assert.DoesNotContain(kid, await host.JwksKidsAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(access)).StatusCode);
        Assert.False(await host.ActiveAsync(access));
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Admin(admin).GetAsync("/admin/api/keys")).StatusCode);
        // The reader of id_token_hint (end_session, authorize) refuses its ID tokens too.
        Assert.Null(await reader.ReadAsync(idToken, "JWT"));

        // A new key signs at once, without waiting for the propagation time.
        var fresh = await host.AdminTokenAsync();
        var next = OidcDriver.Jwt(fresh).Kid;
        Assert.NotEqual(kid, next);
        Assert.Contains(next, await host.JwksKidsAsync());
        Assert.Equal(HttpStatusCode.OK, (await host.Admin(fresh).GetAsync("/admin/api/keys")).StatusCode);
        var again = (await driver.LoginAsync()).GetProperty("access_token").GetString()!;
        Assert.Equal(next, OidcDriver.Jwt(again).Kid);
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(again)).StatusCode);
        // A refresh token is no JWT: it stays good and gives tokens signed by the new key.
        var refreshed = await OidcDriver.Json(await driver.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.OK);
        Assert.Equal(next, OidcDriver.Jwt(refreshed.GetProperty("access_token").GetString()!).Kid);
        Assert.Equal(next, OidcDriver.Jwt(refreshed.GetProperty("id_token").GetString()!).Kid);

        Assert.Equal(Service, Assert.Single(await host.RevokedEventsAsync(kid)).Actor);
    }

    [Fact]
    public async Task A_retired_key_still_published_can_be_revoked_and_the_signer_stays()
    {
        await using var host = new Node();
        var old = await host.AdminTokenAsync();
        var oldKid = OidcDriver.Jwt(old).Kid;
        var rotated = await OidcDriver.Json(await host.Admin(old).PostAsync("/admin/api/keys/rotate", null), HttpStatusCode.Created);
        var signer = rotated.GetProperty("kid").GetString()!;
        Assert.Contains(oldKid, await host.JwksKidsAsync());
        Assert.True(await host.ActiveAsync(old));

        var admin = await host.AdminTokenAsync();
        Assert.Equal(signer, OidcDriver.Jwt(admin).Kid);
        var revoked = await OidcDriver.Json(await host.Admin(admin).PostAsync($"/admin/api/keys/{oldKid}/revoke", null), HttpStatusCode.OK);
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());

        Assert.DoesNotContain(oldKid, await host.JwksKidsAsync());
        Assert.Equal("revoked", (await host.Keys.ListAsync()).Single(k => k.Kid == oldKid).Status);
        Assert.False(await host.ActiveAsync(old));
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Admin(old).GetAsync("/admin/api/keys")).StatusCode);
        // Not the signer: nothing replaces it, the current key signs on.
        Assert.Equal(signer, OidcDriver.Jwt(await host.AdminTokenAsync()).Kid);
        Assert.True(await host.ActiveAsync(admin));
    }

    [Fact]
    public async Task Revoking_an_unknown_key_is_404_and_revoking_again_changes_nothing()
    {
        await using var host = new Node();
        var admin = await host.AdminTokenAsync();
        var rotated = await OidcDriver.Json(await host.Admin(admin).PostAsync("/admin/api/keys/rotate", IdentityBridge.Tests.Admin.Json.Body(new { algorithm = "ES256" })), HttpStatusCode.Created);
        var kid = rotated.GetProperty("kid").GetString()!;

        var unknown = await host.Admin(admin).PostAsync("/admin/api/keys/no-such-kid/revoke", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        var first = await OidcDriver.Json(await host.Admin(admin).PostAsync($"/admin/api/keys/{kid}/revoke", null), HttpStatusCode.OK);
        var events = (await host.RevokedEventsAsync(kid)).Count;
        var keys = (await host.Keys.ListAsync()).Count;
        Assert.Equal(1, events);

        // Idempotent: the key is out of the JWKS already, so nothing is written and no key is created.
        var second = await OidcDriver.Json(await host.Admin(admin).PostAsync($"/admin/api/keys/{kid}/revoke", null), HttpStatusCode.OK);
        Assert.Equal("revoked", second.GetProperty("status").GetString());
        Assert.Equal(first.GetProperty("expiresAt").GetString(), second.GetProperty("expiresAt").GetString());
        Assert.Equal(events, (await host.RevokedEventsAsync(kid)).Count);
        Assert.Equal(keys, (await host.Keys.ListAsync()).Count);
        Assert.DoesNotContain(kid, await host.JwksKidsAsync());
    }

    [Fact]
    public async Task Another_node_refuses_the_revoked_key_after_its_next_key_reload()
    {
        await using var nodeA = new Node();
        _ = nodeA.Server;
        await using var nodeB = new Node(nodeA.DatabaseConnectionString);
        _ = nodeB.Server;
        var atB = new OidcDriver(nodeB);
        var access = (await atB.LoginAsync()).GetProperty("access_token").GetString()!;
        var kid = OidcDriver.Jwt(access).Kid;
        var admin = await nodeA.AdminTokenAsync();
        Assert.Equal(kid, OidcDriver.Jwt(admin).Kid);

        await OidcDriver.Json(await nodeA.Admin(admin).PostAsync($"/admin/api/keys/{kid}/revoke", null), HttpStatusCode.OK);

        // What the key maintenance service runs on every node each KeyMaintenanceService.Interval.
        await nodeB.Keys.MaintainAsync();
        Assert.DoesNotContain(kid, await nodeB.JwksKidsAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await atB.UserInfoAsync(access)).StatusCode);
        Assert.False(await nodeB.ActiveAsync(access));
        var fresh = await nodeB.AdminTokenAsync();
        Assert.NotEqual(kid, OidcDriver.Jwt(fresh).Kid);
        Assert.Equal(HttpStatusCode.OK, (await nodeA.Admin(fresh).GetAsync("/admin/api/keys")).StatusCode);
    }

    [Fact]
    public async Task A_revocation_whose_replacement_cannot_be_stored_leaves_nothing_signed_by_a_key_outside_the_jwks()
    {
        await using var host = new Node();
        var admin = await host.AdminTokenAsync();
        var kid = OidcDriver.Jwt(admin).Kid;

        host.KeyInserts.Armed = true;
        var response = await host.Admin(admin).PostAsync($"/admin/api/keys/{kid}/revoke", null);
        host.KeyInserts.Armed = false;

        // The revocation failed as a whole: the administrator sees it, and the key is still published and signing,
        // so a retry can succeed; what the bridge signs meanwhile is never under a kid missing from its JWKS.
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var signed = OidcDriver.Jwt(await host.AdminTokenAsync()).Kid;
        Assert.Contains(signed, await host.JwksKidsAsync());
        Assert.Empty(await host.RevokedEventsAsync(kid));

        var retried = await host.Admin(admin).PostAsync($"/admin/api/keys/{kid}/revoke", null);
        Assert.Equal("revoked", (await OidcDriver.Json(retried, HttpStatusCode.OK)).GetProperty("status").GetString());
        var next = OidcDriver.Jwt(await host.AdminTokenAsync()).Kid;
        Assert.NotEqual(kid, next);
        Assert.Contains(next, await host.JwksKidsAsync());
    }
}
