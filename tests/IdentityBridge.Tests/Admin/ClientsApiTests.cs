using System.Net;
using System.Text.Json;
using IdentityBridge.Admin.Services;
using IdentityBridge.Clients;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Admin;

public sealed class ClientsApiTests(ClientsApiTests.Host host) : IClassFixture<ClientsApiTests.Host>
{
    public sealed class Host : AdminHost;

    private static object NewClient(string id, params string[] redirectUris) => new
    {
        clientId = id,
        clientName = "App " + id,
        redirectUris = redirectUris.Length == 0 ? ["https://app.example.com/callback"] : redirectUris,
        allowedScopes = new[] { "openid", "profile" },
        allowedGrantTypes = new[] { "authorization_code", "refresh_token" },
    };

    [Fact]
    public async Task Create_returns_the_secret_once_and_get_never_shows_a_secret_or_hash()
    {
        var (api, admin) = await host.AdminApiAsync();
        var response = await api.PostAsync("/admin/api/clients", Json.Body(NewClient("create-once")));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var created = await Json.ReadAsync(response);
        var secret = created.GetProperty("clientSecret").GetString()!;
        Assert.True(secret.Length >= 40);
        Assert.Equal("create-once", created.GetProperty("client").GetProperty("clientId").GetString());

        var hash = await host.WithDbAsync(db => db.ClientSecrets.Where(s => s.ClientId == "create-once").Select(s => s.Hash).SingleAsync());
        Assert.True(ClientSecretHasher.Verify(secret, hash));

        var get = await api.GetStringAsync("/admin/api/clients/create-once");
        Assert.DoesNotContain(secret, get);
        Assert.DoesNotContain("sha256:", get);
        Assert.Contains("\"secrets\"", get);

        var audit = await host.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Type == "client.created" && e.ClientId == "create-once"));
        Assert.Equal(admin, audit.Actor);
        Assert.DoesNotContain(secret, audit.Details);
        Assert.DoesNotContain("sha256:", audit.Details);
        Assert.Contains("https://app.example.com/callback", audit.Details);
    }

    [Fact]
    public async Task Public_clients_get_no_secret()
    {
        var (api, _) = await host.AdminApiAsync();
        var response = await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = "spa-app", clientType = "public", redirectUris = new[] { "http://127.0.0.1/callback", "com.example.app:/cb" },
        }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await Json.ReadAsync(response);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, created.GetProperty("clientSecret").ValueKind);
        Assert.Equal("none", created.GetProperty("client").GetProperty("tokenEndpointAuthMethod").GetString());
        Assert.True(created.GetProperty("client").GetProperty("requirePkce").GetBoolean());
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://app.example.com/cb#fragment")]
    [InlineData("https://*.example.com/cb")]
    [InlineData("http://app.example.com/cb")]
    [InlineData("data:text/html,hi")]
    [InlineData("/relative/cb")]
    [InlineData("com.example.app:/cb")]
    public async Task Invalid_redirect_uris_are_problems_naming_the_field(string uri)
    {
        var (api, _) = await host.AdminApiAsync();
        var response = await api.PostAsync("/admin/api/clients", Json.Body(NewClient("bad-" + Guid.NewGuid().ToString("N")[..8], "https://ok.example.com/cb", uri)));
        var problem = await Json.ProblemAsync(response, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("redirectUris[1]", out var messages), problem.ToString());
        Assert.NotEmpty(messages.EnumerateArray());
    }

    [Theory]
    [InlineData("https://app.example.com/café")]
    [InlineData("https://app.example.com/cb?name=Zoë")]
    [InlineData("https://bücher.example/cb")]
    public async Task Non_ascii_redirect_uris_are_refused_with_a_hint_to_percent_encode(string uri)
    {
        // A Location header must be ASCII: such a URI could never be redirected to.
        var (api, _) = await host.AdminApiAsync();
        var id = "nonascii-" + Guid.NewGuid().ToString("N")[..8];
        var client = new
        {
            clientId = id,
            redirectUris = new[] { "https://ok.example.com/cb", uri },
            postLogoutRedirectUris = new[] { uri },
        };
        var problem = await Json.ProblemAsync(await api.PostAsync("/admin/api/clients", Json.Body(client)), 400);
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "redirectUris[1]", "postLogoutRedirectUris[0]" })
        {
            Assert.True(errors.TryGetProperty(field, out var messages), problem.ToString());
            Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains("percent-encode", StringComparison.Ordinal));
        }
        Assert.False(await host.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == id)));

        var encoded = new { clientId = id, redirectUris = new[] { "https://app.example.com/caf%C3%A9" }, postLogoutRedirectUris = new[] { "https://app.example.com/caf%C3%A9" } };
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/admin/api/clients", Json.Body(encoded))).StatusCode);
    }

    [Fact]
    public async Task Unknown_fields_and_malformed_json_and_wrong_types_are_400_problems()
    {
        var (api, _) = await host.AdminApiAsync();
        var unknown = await api.PostAsync("/admin/api/clients", Json.Raw("""{"clientId":"x1","redirectUris":["https://a.example/cb"],"isAdmin":true}"""));
        var problem = await Json.ProblemAsync(unknown, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("isAdmin", out _), problem.ToString());

        var malformed = await api.PostAsync("/admin/api/clients", Json.Raw("""{"clientId": "x2", """));
        await Json.ProblemAsync(malformed, 400);

        var wrongType = await api.PostAsync("/admin/api/clients", Json.Raw("""{"clientId":"x3","redirectUris":"https://a.example/cb"}"""));
        var typed = await Json.ProblemAsync(wrongType, 400);
        Assert.True(typed.GetProperty("errors").TryGetProperty("redirectUris", out _), typed.ToString());

        var notJson = await api.PostAsync("/admin/api/clients", new StringContent("clientId=x4"));
        await Json.ProblemAsync(notJson, 415);

        var empty = await api.PostAsync("/admin/api/clients", Json.Raw("null"));
        await Json.ProblemAsync(empty, 400);

        var missingId = await api.PostAsync("/admin/api/clients", Json.Raw("""{"redirectUris":["https://a.example/cb"]}"""));
        Assert.True((await Json.ProblemAsync(missingId, 400)).GetProperty("errors").TryGetProperty("clientId", out _));
    }

    [Theory]
    [InlineData("""{"clientId":"dup-a","clientId":"dup-b","redirectUris":["https://a.example/cb"]}""", "clientId")]
    [InlineData("""{"clientId":"dup-c","redirectUris":["https://a.example/cb"],"allowedScopes":["openid"],"allowedScopes":["openid","bridge.admin"]}""", "allowedScopes")]
    [InlineData("""{"clientId":"dup-d","ClientId":"dup-e","redirectUris":["https://a.example/cb"]}""", "ClientId")]
    public async Task A_body_naming_a_member_twice_is_a_400_problem_and_nothing_is_created(string body, string field)
    {
        var (api, _) = await host.AdminApiAsync();
        var response = await api.PostAsync("/admin/api/clients", Json.Raw(body));
        var problem = await Json.ProblemAsync(response, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), problem.ToString());
        Assert.Contains("more than once", messages[0].GetString());
        var created = await host.WithDbAsync(db => db.Clients.Where(c => c.ClientId.StartsWith("dup-")).Select(c => c.ClientId).ToListAsync());
        Assert.Empty(created);
    }

    [Theory]
    [InlineData("""{"keys":[]}""")]
    [InlineData("""{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}""")]
    [InlineData("""{"keys":[{"kty":"oct","k":"c2VjcmV0"},5,"x"]}""")]
    [InlineData("""{"keys":[{"kty":"RSA","kid":"broken"}]}""")]
    public async Task A_private_key_jwt_client_needs_a_jwks_with_a_usable_public_signing_key(string jwks)
    {
        var (api, _) = await host.AdminApiAsync();
        var id = "jwks-" + Guid.NewGuid().ToString("N")[..8];
        var response = await api.PostAsync("/admin/api/clients", Json.Raw(
            $$"""{"clientId":"{{id}}","allowedGrantTypes":["client_credentials"],"tokenEndpointAuthMethod":"private_key_jwt","jwks":{{jwks}}}"""));
        var problem = await Json.ProblemAsync(response, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("jwks", out _), problem.ToString());

        var good = await api.PostAsync("/admin/api/clients", Json.Raw(
            $$"""{"clientId":"{{id}}","allowedGrantTypes":["client_credentials"],"tokenEndpointAuthMethod":"private_key_jwt","jwks":{{GoodJwks}}}"""));
        Assert.True(good.StatusCode == HttpStatusCode.Created, await good.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("RSA")]
    [InlineData("EC")]
    public async Task A_jwks_holding_a_private_key_is_refused_and_never_stored_shown_or_audited(string kty)
    {
        // A client's JWK Set is published key material: a private key in it would be kept in clear, shown by
        // every read of the client, and copied into the audit trail and exports.
        var (api, _) = await host.AdminApiAsync();
        var id = "jwks-private-" + kty.ToLowerInvariant();
        string jwks, privatePart;
        if (kty == "RSA")
        {
            using var rsa = System.Security.Cryptography.RSA.Create(2048);
            var p = rsa.ExportParameters(true);
            privatePart = B64(p.D!);
            jwks = $$"""{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"{{B64(p.Modulus!)}}","e":"{{B64(p.Exponent!)}}","d":"{{privatePart}}","p":"{{B64(p.P!)}}","q":"{{B64(p.Q!)}}","dp":"{{B64(p.DP!)}}","dq":"{{B64(p.DQ!)}}","qi":"{{B64(p.InverseQ!)}}"}]}""";
        }
        else
        {
            using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            var p = ec.ExportParameters(true);
            privatePart = B64(p.D!);
            jwks = $$"""{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","alg":"ES256","x":"{{B64(p.Q.X!)}}","y":"{{B64(p.Q.Y!)}}","d":"{{privatePart}}"}]}""";
        }

        var response = await api.PostAsync("/admin/api/clients", Json.Raw(
            $$"""{"clientId":"{{id}}","allowedGrantTypes":["client_credentials"],"tokenEndpointAuthMethod":"private_key_jwt","jwks":{{jwks}}}"""));
        var problem = await Json.ProblemAsync(response, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("jwks", out var messages), problem.ToString());
        Assert.Contains("private", messages[0].GetString());
        Assert.DoesNotContain(privatePart, problem.ToString());
        Assert.False(await host.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == id)));
        Assert.False(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.ClientId == id)));

        static string B64(byte[] bytes) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(bytes);
    }

    private const string GoodJwks =
        """{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1","use":"sig","alg":"ES256"}]}""";

    [Fact]
    public async Task Other_settings_are_validated_too()
    {
        var (api, _) = await host.AdminApiAsync();
        var response = await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = "bad settings!",
            clientType = "robot",
            redirectUris = new[] { "https://a.example/cb" },
            allowedScopes = new[] { "openid", "admin:all" },
            allowedGrantTypes = new[] { "password" },
            accessTokenLifetime = 5,
            subjectType = "secret",
        }));
        var errors = (await Json.ProblemAsync(response, 400)).GetProperty("errors");
        foreach (var field in new[] { "clientId", "clientType", "allowedScopes[1]", "allowedGrantTypes[0]", "accessTokenLifetime", "subjectType" })
            Assert.True(errors.TryGetProperty(field, out _), $"{field} missing in {errors}");
    }

    [Fact]
    public async Task A_pairwise_client_with_redirect_uris_on_several_hosts_needs_a_sector_identifier()
    {
        // OIDC Core §8.1: without a sector identifier the pairwise sector is the redirect URIs' host, and with
        // several hosts one must be registered; otherwise every subject would follow whichever URI is listed first.
        var (api, _) = await host.AdminApiAsync();
        var twoHosts = new[] { "https://a.example.com/cb", "https://b.example.com/cb" };
        var refused = await api.PostAsync("/admin/api/clients", Json.Body(new { clientId = "pairwise-hosts", subjectType = "pairwise", redirectUris = twoHosts }));
        var problem = await Json.ProblemAsync(refused, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("sectorIdentifier", out _), problem.ToString());
        Assert.False(await host.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "pairwise-hosts")));

        // One host (in any case) with several paths: that host is the sector.
        var oneHost = await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = "pairwise-one-host", subjectType = "pairwise", redirectUris = new[] { "https://a.example.com/cb", "https://A.example.com/other" },
        }));
        Assert.Equal(HttpStatusCode.Created, oneHost.StatusCode);
        // Public subjects do not care about hosts.
        var publicSubjects = await api.PostAsync("/admin/api/clients", Json.Body(new { clientId = "public-hosts", redirectUris = twoHosts }));
        Assert.Equal(HttpStatusCode.Created, publicSubjects.StatusCode);

        var withSector = await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = "pairwise-hosts", subjectType = "pairwise", redirectUris = twoHosts, sectorIdentifier = "https://a.example.com/sector.json",
        }));
        Assert.Equal(HttpStatusCode.Created, withSector.StatusCode);
        var dropped = await api.PutAsync("/admin/api/clients/pairwise-hosts", Json.Body(new { subjectType = "pairwise", redirectUris = new[] { twoHosts[1], twoHosts[0] } }));
        Assert.True((await Json.ProblemAsync(dropped, 400)).GetProperty("errors").TryGetProperty("sectorIdentifier", out _));
    }

    [Theory]
    [InlineData("client_credentials")]
    [InlineData("urn:openid:params:grant-type:ciba")]
    public async Task Grants_that_need_client_authentication_are_refused_for_a_public_client(string grant)
    {
        // The token and backchannel authentication endpoints refuse these grants to a client that cannot
        // authenticate (RFC 6749 §4.4, CIBA Core §7.1): registering one would give a client that never works.
        var (api, _) = await host.AdminApiAsync();
        var id = "public-grant-" + Guid.NewGuid().ToString("N")[..8];
        var response = await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = id, clientType = "public", redirectUris = new[] { "com.example.app:/cb" }, allowedGrantTypes = new[] { "authorization_code", grant },
        }));
        var problem = await Json.ProblemAsync(response, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("allowedGrantTypes", out var messages), problem.ToString());
        Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains(grant, StringComparison.Ordinal));
        Assert.False(await host.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == id)));
    }

    [Fact]
    public async Task Duplicate_client_id_is_409_and_unknown_id_is_404()
    {
        var (api, _) = await host.AdminApiAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/admin/api/clients", Json.Body(NewClient("dup")))).StatusCode);
        await Json.ProblemAsync(await api.PostAsync("/admin/api/clients", Json.Body(NewClient("dup"))), 409);

        await Json.ProblemAsync(await api.GetAsync("/admin/api/clients/nope"), 404);
        await Json.ProblemAsync(await api.PutAsync("/admin/api/clients/nope", Json.Body(NewClient("nope"))), 404);
        await Json.ProblemAsync(await api.PatchAsync("/admin/api/clients/nope", Json.Body(new { enabled = false })), 404);
        await Json.ProblemAsync(await api.DeleteAsync("/admin/api/clients/nope"), 404);
        await Json.ProblemAsync(await api.PostAsync("/admin/api/clients/nope/rotate-secret", null), 404);
    }

    [Fact]
    public async Task List_pages_with_total_and_validates_bounds()
    {
        var (api, _) = await host.AdminApiAsync();
        for (var i = 0; i < 5; i++)
            await api.PostAsync("/admin/api/clients", Json.Body(NewClient($"page-{i}")));
        var page = await Json.ReadAsync(await api.GetAsync("/admin/api/clients?search=page-&pageSize=2&page=2"));
        Assert.Equal(5, page.GetProperty("total").GetInt32());
        Assert.Equal(3, page.GetProperty("totalPages").GetInt32());
        Assert.Equal(["page-2", "page-3"], page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("clientId").GetString()!).ToArray());

        foreach (var bad in new[] { "pageSize=0", "pageSize=201", "page=0", "page=abc", "pageSize=-1" })
        {
            var problem = await Json.ProblemAsync(await api.GetAsync("/admin/api/clients?" + bad), 400);
            Assert.True(problem.GetProperty("errors").TryGetProperty(bad.Split('=')[0], out _), bad);
        }
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/admin/api/clients?pageSize=200")).StatusCode);
        await Json.ProblemAsync(await api.GetAsync("/admin/api/clients?enabled=maybe"), 400);
    }

    [Fact]
    public async Task Put_replaces_settings_keeps_secrets_and_audits_before_and_after()
    {
        var (api, _) = await host.AdminApiAsync();
        await api.PostAsync("/admin/api/clients", Json.Body(NewClient("put-me")));
        var response = await api.PutAsync("/admin/api/clients/put-me", Json.Body(new
        {
            clientName = "Renamed",
            redirectUris = new[] { "https://new.example.com/cb" },
            requireConsent = true,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await Json.ReadAsync(response);
        Assert.Equal("Renamed", view.GetProperty("clientName").GetString());
        Assert.Equal(["openid"], view.GetProperty("allowedScopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
        Assert.Single(view.GetProperty("secrets").EnumerateArray());

        var details = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Type == "client.updated" && e.ClientId == "put-me").Select(e => e.Details).SingleAsync());
        Assert.Contains("https://app.example.com/callback", details);
        Assert.Contains("https://new.example.com/cb", details);

        var mismatch = await api.PutAsync("/admin/api/clients/put-me", Json.Body(new { clientId = "other", redirectUris = new[] { "https://a.example/cb" } }));
        Assert.True((await Json.ProblemAsync(mismatch, 400)).GetProperty("errors").TryGetProperty("clientId", out _));
        var invalid = await api.PutAsync("/admin/api/clients/put-me", Json.Body(new { redirectUris = new[] { "javascript:alert(1)" } }));
        Assert.True((await Json.ProblemAsync(invalid, 400)).GetProperty("errors").TryGetProperty("redirectUris[0]", out _));
    }

    [Theory]
    [InlineData("private_key_jwt")]
    [InlineData("public")]
    public async Task Put_to_a_secret_method_issues_a_secret_once_that_authenticates_and_a_later_put_keeps_it(string from)
    {
        // A client moved to client_secret_basic with no secret could not authenticate, and rotation refused it
        // as a client without a secret: the update must hand out a secret, as creation does.
        var (api, admin) = await host.AdminApiAsync();
        var id = "switch-" + (from == "public" ? "public" : "jwt");
        var created = await api.PostAsync("/admin/api/clients", Json.Raw(from == "public"
            ? $$"""{"clientId":"{{id}}","clientType":"public","redirectUris":["http://127.0.0.1/callback"]}"""
            : $$"""{"clientId":"{{id}}","allowedGrantTypes":["client_credentials"],"allowedScopes":["profile"],"tokenEndpointAuthMethod":"private_key_jwt","jwks":{{GoodJwks}}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await Json.ReadAsync(created)).GetProperty("clientSecret").ValueKind);

        var settings = new { allowedGrantTypes = new[] { "client_credentials" }, allowedScopes = new[] { "profile" }, tokenEndpointAuthMethod = "client_secret_basic" };
        var response = await api.PutAsync($"/admin/api/clients/{id}", Json.Body(settings));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var updated = await Json.ReadAsync(response);
        var secret = updated.GetProperty("clientSecret").GetString()!;
        Assert.True(secret.Length >= 40);
        Assert.Equal("client_secret_basic", updated.GetProperty("tokenEndpointAuthMethod").GetString());
        var secretId = Assert.Single(updated.GetProperty("secrets").EnumerateArray()).GetProperty("id").GetInt64();
        var hash = await host.WithDbAsync(db => db.ClientSecrets.Where(s => s.ClientId == id).Select(s => s.Hash).SingleAsync());
        Assert.True(ClientSecretHasher.Verify(secret, hash));
        Assert.Equal(HttpStatusCode.OK, (await ClientCredentialsAsync(id, secret)).StatusCode);

        var audit = await host.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Type == "client.updated" && e.ClientId == id));
        Assert.Equal(admin, audit.Actor);
        Assert.Equal(secretId, JsonDocument.Parse(audit.Details!).RootElement.GetProperty("secretIssued").GetInt64());
        Assert.DoesNotContain(secret, audit.Details);
        Assert.DoesNotContain("sha256:", audit.Details);
        Assert.DoesNotContain(secret, await api.GetStringAsync($"/admin/api/clients/{id}"));

        // Staying on a secret method issues nothing, and the secret already handed out keeps working.
        var again = await api.PutAsync($"/admin/api/clients/{id}", Json.Body(settings));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False((await Json.ReadAsync(again)).TryGetProperty("clientSecret", out _));
        Assert.Equal(1, await host.WithDbAsync(db => db.ClientSecrets.CountAsync(s => s.ClientId == id)));
        Assert.Equal(HttpStatusCode.OK, (await ClientCredentialsAsync(id, secret)).StatusCode);
    }

    [Fact]
    public async Task Put_away_from_a_secret_method_issues_nothing_and_drops_the_stored_secrets()
    {
        var (api, _) = await host.AdminApiAsync();
        var created = await Json.ReadAsync(await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = "leave-secrets", allowedGrantTypes = new[] { "client_credentials" }, allowedScopes = new[] { "profile" },
        })));
        var secret = created.GetProperty("clientSecret").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await ClientCredentialsAsync("leave-secrets", secret)).StatusCode);

        var response = await api.PutAsync("/admin/api/clients/leave-secrets", Json.Raw(
            $$"""{"allowedGrantTypes":["client_credentials"],"allowedScopes":["profile"],"tokenEndpointAuthMethod":"private_key_jwt","jwks":{{GoodJwks}}}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await Json.ReadAsync(response);
        Assert.False(view.TryGetProperty("clientSecret", out _));
        Assert.Empty(view.GetProperty("secrets").EnumerateArray());
        Assert.Equal(0, await host.WithDbAsync(db => db.ClientSecrets.CountAsync(s => s.ClientId == "leave-secrets")));
        Assert.NotEqual(HttpStatusCode.OK, (await ClientCredentialsAsync("leave-secrets", secret)).StatusCode);
    }

    private async Task<HttpResponseMessage> ClientCredentialsAsync(string clientId, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "profile" }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret))));
        return await host.CreateApiClient().SendAsync(request);
    }

    [Fact]
    public async Task An_update_audits_an_added_redirect_uri_however_large_the_client_is()
    {
        // Before and after snapshots of a client with many redirect URIs and an RSA key set are longer than the
        // audit trail keeps: the event recorded only their length, and with it hid the redirect URI that was added.
        var (api, _) = await host.AdminApiAsync();
        using var rsa = System.Security.Cryptography.RSA.Create(4096);
        var p = rsa.ExportParameters(false);
        var jwks = JsonDocument.Parse($$"""{"keys":[{"kty":"RSA","kid":"big-key","use":"sig","alg":"RS256","n":"{{B64(p.Modulus!)}}","e":"{{B64(p.Exponent!)}}"}]}""").RootElement;
        var uris = Enumerable.Range(0, 40).Select(i => $"https://app.example.com/callback/{i}/{new string('x', 150)}").ToList();
        object Settings(List<string> redirects) => new
        {
            clientName = "Large",
            redirectUris = redirects,
            postLogoutRedirectUris = uris.Take(20).ToList(),
            allowedScopes = new[] { "openid", "profile" },
            jwks,
        };
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/admin/api/clients", Json.Body(NewClient("large")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync("/admin/api/clients/large", Json.Body(Settings(uris)))).StatusCode);

        const string added = "https://evil.example.net/cb";
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync("/admin/api/clients/large", Json.Body(Settings([.. uris, added])))).StatusCode);

        var details = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Type == "client.updated" && e.ClientId == "large")
            .OrderByDescending(e => e.Id).Select(e => e.Details).FirstAsync());
        Assert.Contains(added, details);
        using var doc = JsonDocument.Parse(details!);
        var change = doc.RootElement.GetProperty("changes").GetProperty("redirectUris");
        Assert.Equal([added], change.GetProperty("added").EnumerateArray().Select(u => u.GetString()!).ToArray());
        // Only what changed is recorded: the unchanged lists and key set are not repeated.
        Assert.False(doc.RootElement.GetProperty("changes").TryGetProperty("jwks", out _), details);
        Assert.False(doc.RootElement.GetProperty("changes").TryGetProperty("postLogoutRedirectUris", out _), details);

        static string B64(byte[] bytes) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(bytes);
    }

    /// <summary>A client as large as registration allows: 50 redirect and 50 post-logout URIs, long ones, and RSA keys.</summary>
    private static (List<string> Redirects, List<string> PostLogout, JsonElement Jwks) LargestSettings(string tag, int keyCount = 3)
    {
        var redirects = Enumerable.Range(0, ClientRules.MaxUris).Select(i => $"https://{tag}.example.com/callback/{i}/{new string('r', 300)}").ToList();
        var postLogout = Enumerable.Range(0, ClientRules.MaxUris).Select(i => $"https://{tag}.example.com/signed-out/{i}/{new string('p', 300)}").ToList();
        using var rsa = System.Security.Cryptography.RSA.Create(4096);
        var p = rsa.ExportParameters(false);
        var keys = Enumerable.Range(0, keyCount).Select(i =>
            $$"""{"kty":"RSA","kid":"key-{{i}}","use":"sig","alg":"RS256","n":"{{B64(p.Modulus!)}}","e":"{{B64(p.Exponent!)}}"}""");
        var jwks = JsonDocument.Parse($$"""{"keys":[{{string.Join(',', keys)}}]}""").RootElement.Clone();
        return (redirects, postLogout, jwks);

        static string B64(byte[] bytes) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(bytes);
    }

    private static void AssertEveryUriRecorded(string? details, List<string> redirects, List<string> postLogout)
    {
        Assert.NotNull(details);
        using var doc = JsonDocument.Parse(details);
        var after = doc.RootElement.GetProperty("after");
        Assert.Equal(redirects, after.GetProperty("redirectUris").EnumerateArray().Select(u => u.GetString()!).ToList());
        Assert.Equal(postLogout, after.GetProperty("postLogoutRedirectUris").EnumerateArray().Select(u => u.GetString()!).ToList());
    }

    [Fact]
    public async Task Creating_a_client_audits_every_redirect_uri_however_large_the_client_is()
    {
        // The whole client was recorded as "after"; with many long URIs and a big key set it was longer than the
        // audit trail keeps, and the event held only its length: where logins of the new client may be sent was lost.
        var (api, _) = await host.AdminApiAsync();
        var (redirects, postLogout, jwks) = LargestSettings("created");
        var response = await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = "created-large",
            clientName = "Large",
            redirectUris = redirects,
            postLogoutRedirectUris = postLogout,
            allowedScopes = new[] { "openid", "profile" },
            tokenEndpointAuthMethod = "private_key_jwt",
            jwks,
        }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var details = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Type == "client.created" && e.ClientId == "created-large")
            .Select(e => e.Details).SingleAsync());
        AssertEveryUriRecorded(details, redirects, postLogout);
        // The key set is named by its keys rather than repeated.
        Assert.Contains("key-0", details);
        Assert.Contains("key-2", details);
    }

    [Fact]
    public async Task Importing_a_new_client_audits_every_redirect_uri_however_large_the_client_is()
    {
        // Import records its events with room for the redirect URIs of a change (ClientChanges.MaxLength), but a key
        // set is not bounded: with one of 2000 keys the snapshot passed even that and the URIs were lost.
        var (redirects, postLogout, jwks) = LargestSettings("imported", keyCount: 2000);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var transfer = scope.ServiceProvider.GetRequiredService<IdentityBridge.Admin.Services.TransferService>();
            var result = await transfer.ImportAsync(new IdentityBridge.Admin.Contracts.ExportDocument
            {
                Clients =
                [
                    new IdentityBridge.Admin.Contracts.ClientExport
                    {
                        ClientId = "imported-large",
                        RedirectUris = redirects,
                        PostLogoutRedirectUris = postLogout,
                        TokenEndpointAuthMethod = "private_key_jwt",
                        Jwks = jwks,
                    },
                ],
                Accounts = [],
            }, "test-admin");
            Assert.True(result.Ok, result.Error?.ToString());
        }

        var details = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Type == "client.created" && e.ClientId == "imported-large")
            .Select(e => e.Details).SingleAsync());
        AssertEveryUriRecorded(details, redirects, postLogout);
        Assert.Contains("\"via\":\"import\"", details);
    }

    [Theory]
    [InlineData("http://app.example.com/fc", "must use https")]
    [InlineData("https://app.example.com/fc#frag", "without a fragment")]
    [InlineData("fc.example/logout", "absolute URL")]
    public async Task A_front_channel_logout_uri_is_an_https_url_without_fragment(string uri, string expected)
    {
        var (api, _) = await host.AdminApiAsync();
        var body = new Dictionary<string, object> { ["clientId"] = "fc-bad", ["redirectUris"] = new[] { "https://a.example/cb" }, ["frontChannelLogoutUri"] = uri };
        var problem = await Json.ProblemAsync(await api.PostAsync("/admin/api/clients", Json.Body(body)), 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("frontChannelLogoutUri", out var messages), problem.ToString());
        Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Front_channel_logout_settings_are_stored_and_returned()
    {
        // Front-Channel Logout 1.0 §2: frontchannel_logout_uri, and frontchannel_logout_session_required (false when omitted).
        var (api, _) = await host.AdminApiAsync();
        var created = await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = "fc-app", redirectUris = new[] { "https://fc.example/cb" },
            frontChannelLogoutUri = "https://fc.example/logout?from=op", frontChannelLogoutSessionRequired = true,
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = JsonDocument.Parse(await api.GetStringAsync("/admin/api/clients/fc-app")).RootElement;
        Assert.Equal("https://fc.example/logout?from=op", view.GetProperty("frontChannelLogoutUri").GetString());
        Assert.True(view.GetProperty("frontChannelLogoutSessionRequired").GetBoolean());
        var stored = await host.WithDbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "fc-app"));
        Assert.Equal("https://fc.example/logout?from=op", stored.FrontChannelLogoutUri);
        Assert.True(stored.FrontChannelLogoutSessionRequired);

        var loopback = await api.PutAsync("/admin/api/clients/fc-app", Json.Body(new { redirectUris = new[] { "https://fc.example/cb" }, frontChannelLogoutUri = "http://127.0.0.1:5002/fc" }));
        Assert.Equal(HttpStatusCode.OK, loopback.StatusCode);
        var replaced = await Json.ReadAsync(loopback);
        Assert.Equal("http://127.0.0.1:5002/fc", replaced.GetProperty("frontChannelLogoutUri").GetString());
        Assert.False(replaced.GetProperty("frontChannelLogoutSessionRequired").GetBoolean());
    }

    [Fact]
    public async Task Request_requirements_are_stored_and_returned_and_signed_objects_need_a_jwks()
    {
        // RFC 9126 §6 and RFC 9101 §10.5: both false when omitted.
        var (api, _) = await host.AdminApiAsync();
        var jwks = JsonDocument.Parse(Provider.TestClients.JwtClientJwks()).RootElement;
        var created = await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = "jar-app", redirectUris = new[] { "https://jar.example/cb" }, jwks,
            requirePushedAuthorizationRequests = true, requireSignedRequestObject = true,
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = JsonDocument.Parse(await api.GetStringAsync("/admin/api/clients/jar-app")).RootElement;
        Assert.True(view.GetProperty("requirePushedAuthorizationRequests").GetBoolean());
        Assert.True(view.GetProperty("requireSignedRequestObject").GetBoolean());
        var stored = await host.WithDbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "jar-app"));
        Assert.True(stored.RequirePushedAuthorizationRequests);
        Assert.True(stored.RequireSignedRequestObject);

        var withoutKeys = await api.PutAsync("/admin/api/clients/jar-app", Json.Body(new { redirectUris = new[] { "https://jar.example/cb" }, requireSignedRequestObject = true }));
        var problem = await Json.ProblemAsync(withoutKeys, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("requireSignedRequestObject", out _), problem.ToString());

        var replaced = await Json.ReadAsync(await api.PutAsync("/admin/api/clients/jar-app", Json.Body(new { redirectUris = new[] { "https://jar.example/cb" } })));
        Assert.False(replaced.GetProperty("requirePushedAuthorizationRequests").GetBoolean());
        Assert.False(replaced.GetProperty("requireSignedRequestObject").GetBoolean());
    }

    [Fact]
    public async Task A_nul_byte_in_any_client_field_is_a_problem_never_a_500()
    {
        // PostgreSQL refuses a NUL byte in text: every field that is stored must be checked before it gets there.
        var (api, _) = await host.AdminApiAsync();
        var fields = new Dictionary<string, object>
        {
            ["redirectUris"] = new[] { "https://a.example/c\u0000b" },
            ["postLogoutRedirectUris"] = new[] { "https://a.example/o\u0000ut" },
            ["backChannelLogoutUri"] = "https://a.example/b\u0000c",
            ["frontChannelLogoutUri"] = "https://a.example/f\u0000c",
            ["sectorIdentifier"] = "https://a.example/s\u0000",
            ["requiredNetwork"] = "MAIN\u0000NET",
            ["allowedScopes"] = new[] { "openid\u0000" },
            ["allowedGrantTypes"] = new[] { "authorization_code\u0000" },
            ["tokenEndpointAuthMethod"] = "client_secret_basic\u0000",
            ["jwks"] = "{\"keys\":[{\"kty\":\"RSA\u0000\"}]}",
        };
        foreach (var (field, value) in fields)
        {
            var body = new Dictionary<string, object> { ["clientId"] = "nul-field", ["redirectUris"] = new[] { "https://a.example/cb" } };
            body[field] = value;
            var response = await api.PostAsync("/admin/api/clients", Json.Body(body));
            Assert.True((int)response.StatusCode is 400, $"{field}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task Control_characters_in_a_client_name_or_description_are_refused()
    {
        // The name reaches users (consent and sign-in pages) and the CLI's terminal output, where an escape acts.
        var (api, _) = await host.AdminApiAsync();
        foreach (var name in new[] { "App\u001b[2J", "Two\nlines", "Null\u0000", "Del\u007f" })
        {
            var response = await api.PostAsync("/admin/api/clients", Json.Body(new { clientId = "ctl-name", clientName = name, redirectUris = new[] { "https://a.example/cb" } }));
            Assert.True((await Json.ProblemAsync(response, 400)).GetProperty("errors").TryGetProperty("clientName", out _), name);
        }
        var bell = await api.PostAsync("/admin/api/clients", Json.Body(new { clientId = "ctl-description", description = "ring\u0007", redirectUris = new[] { "https://a.example/cb" } }));
        Assert.True((await Json.ProblemAsync(bell, 400)).GetProperty("errors").TryGetProperty("description", out _));

        // Letters of any script, and line breaks and tabs in a description, are text.
        var fine = await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = "ctl-fine", clientName = "Zoë's Łódź app 🙂", description = "First line\r\nSecond\tline", redirectUris = new[] { "https://a.example/cb" },
        }));
        Assert.Equal(HttpStatusCode.Created, fine.StatusCode);
    }

    [Fact]
    public async Task An_import_refuses_an_account_display_name_with_control_characters()
    {
        await using var scope = host.Services.CreateAsyncScope();
        var transfer = scope.ServiceProvider.GetRequiredService<TransferService>();
        var result = await transfer.ImportAsync(new IdentityBridge.Admin.Contracts.ExportDocument
        {
            Clients = [],
            Accounts = [new IdentityBridge.Admin.Contracts.AccountExport { Id = "ctl-import", DisplayName = "Mallory\u001b]0;owned\u0007" }],
        }, "test-admin");

        Assert.Equal(AdminErrorKind.Validation, result.Error?.Kind);
        Assert.True(result.Error!.Errors!.ContainsKey("accounts[0].displayName"));
        Assert.False(await host.WithDbAsync(db => db.Accounts.AnyAsync(a => a.Id == "ctl-import")));
    }

    [Fact]
    public async Task Patch_disables_and_enables_and_delete_removes()
    {
        var (api, _) = await host.AdminApiAsync();
        await api.PostAsync("/admin/api/clients", Json.Body(NewClient("toggle")));
        var off = await Json.ReadAsync(await api.PatchAsync("/admin/api/clients/toggle", Json.Body(new { enabled = false })));
        Assert.False(off.GetProperty("enabled").GetBoolean());
        Assert.False(await host.WithDbAsync(db => db.Clients.Where(c => c.ClientId == "toggle").Select(c => c.Enabled).SingleAsync()));
        var on = await Json.ReadAsync(await api.PatchAsync("/admin/api/clients/toggle", Json.Body(new { enabled = true })));
        Assert.True(on.GetProperty("enabled").GetBoolean());
        await Json.ProblemAsync(await api.PatchAsync("/admin/api/clients/toggle", Json.Body(new { clientName = "x" })), 400);
        await Json.ProblemAsync(await api.PatchAsync("/admin/api/clients/toggle", Json.Raw("{}")), 400);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("/admin/api/clients/toggle")).StatusCode);
        await Json.ProblemAsync(await api.GetAsync("/admin/api/clients/toggle"), 404);
        Assert.Equal(0, await host.WithDbAsync(db => db.ClientSecrets.CountAsync(s => s.ClientId == "toggle")));
        Assert.True(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == "client.deleted" && e.ClientId == "toggle")));
    }

    [Fact]
    public async Task Rotating_a_secret_returns_it_once_and_keeps_the_old_one_for_the_overlap()
    {
        var (api, _) = await host.AdminApiAsync();
        var first = (await Json.ReadAsync(await api.PostAsync("/admin/api/clients", Json.Body(NewClient("rotate-me"))))).GetProperty("clientSecret").GetString()!;

        var response = await api.PostAsync("/admin/api/clients/rotate-me/rotate-secret", Json.Body(new { overlapSeconds = 3600 }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var rotated = await Json.ReadAsync(response);
        var second = rotated.GetProperty("clientSecret").GetString()!;
        Assert.NotEqual(first, second);
        var now = host.Clock.GetUtcNow();
        Assert.Equal(now.AddHours(1).ToUnixTimeSeconds(), rotated.GetProperty("previousSecretsExpireAt").GetDateTimeOffset().ToUnixTimeSeconds());

        var secrets = await host.WithDbAsync(db => db.ClientSecrets.Where(s => s.ClientId == "rotate-me").ToListAsync());
        Assert.Equal(2, secrets.Count);
        var old = secrets.Single(s => ClientSecretHasher.Verify(first, s.Hash));
        var fresh = secrets.Single(s => ClientSecretHasher.Verify(second, s.Hash));
        Assert.Equal(now.AddHours(1).ToUnixTimeMilliseconds(), old.ExpiresAt!.Value.ToUnixTimeMilliseconds());
        Assert.Null(fresh.ExpiresAt);

        var audit = await host.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Type == "client.secret_rotated" && e.ClientId == "rotate-me"));
        Assert.DoesNotContain(second, audit.Details);
        Assert.DoesNotContain("sha256:", audit.Details);

        // Default overlap is 24 h; out-of-range overlaps are refused.
        var third = await Json.ReadAsync(await api.PostAsync("/admin/api/clients/rotate-me/rotate-secret", null));
        Assert.Equal(now.AddDays(1).ToUnixTimeSeconds(), third.GetProperty("previousSecretsExpireAt").GetDateTimeOffset().ToUnixTimeSeconds());
        var bad = await api.PostAsync("/admin/api/clients/rotate-me/rotate-secret", Json.Body(new { overlapSeconds = -1 }));
        Assert.True((await Json.ProblemAsync(bad, 400)).GetProperty("errors").TryGetProperty("overlapSeconds", out _));
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on a <see cref="ClientAdminService"/> of its own database context, with
    /// <paramref name="meanwhile"/> run to its end after the operation read the client and before it saves:
    /// two administrators acting on the same client at the same moment.
    /// </summary>
    private async Task<AdminResult<T>> InterleavedAsync<T>(Func<Task> meanwhile, Func<ClientAdminService, Task<AdminResult<T>>> operation)
    {
        var options = new DbContextOptionsBuilder<IdentityBridge.Storage.BridgeDbContext>();
        IdentityBridge.Storage.StorageServiceCollectionExtensions.Configure(options, host.Services.GetRequiredService<IdentityBridge.Storage.DatabaseConnection>());
        options.AddInterceptors(new BeforeFirstSave(meanwhile));
        await using var db = new IdentityBridge.Storage.BridgeDbContext(options.Options);
        var service = new ClientAdminService(db, host.Clock, host.Services.GetRequiredService<IdentityBridge.Audit.AuditLog>(),
            host.Services.GetRequiredService<IdentityBridge.Admin.AdminClientCache>());
        return await operation(service);
    }

    [Fact]
    public async Task Of_two_secret_rotations_at_the_same_moment_the_second_is_refused_and_leaves_one_secret_without_expiry()
    {
        var (api, _) = await host.AdminApiAsync();
        var first = (await Json.ReadAsync(await api.PostAsync("/admin/api/clients", Json.Body(NewClient("rotate-race"))))).GetProperty("clientSecret").GetString()!;

        string? winner = null;
        var late = await InterleavedAsync(async () =>
        {
            var response = await api.PostAsync("/admin/api/clients/rotate-race/rotate-secret", Json.Body(new { overlapSeconds = 600 }));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            winner = (await Json.ReadAsync(response)).GetProperty("clientSecret").GetString();
        }, service => service.RotateSecretAsync("rotate-race", 3600, "test"));

        // Both read the initial secret; storing the second would have left two secrets that never expire
        // (one of them the first rotation's, which nobody could then retire by rotating once more).
        Assert.Equal(AdminErrorKind.Conflict, late.Error?.Kind);
        var secrets = await host.WithDbAsync(db => db.ClientSecrets.Where(s => s.ClientId == "rotate-race").ToListAsync());
        Assert.Equal(2, secrets.Count);
        Assert.True(ClientSecretHasher.Verify(winner!, secrets.Single(s => s.ExpiresAt is null).Hash));
        Assert.NotNull(secrets.Single(s => ClientSecretHasher.Verify(first, s.Hash)).ExpiresAt);

        // Read again, the rotation goes through.
        var retried = await api.PostAsync("/admin/api/clients/rotate-race/rotate-secret", Json.Body(new { overlapSeconds = 600 }));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Single(await host.WithDbAsync(db => db.ClientSecrets.Where(s => s.ClientId == "rotate-race" && s.ExpiresAt == null).ToListAsync()));
    }

    [Fact]
    public async Task An_update_made_from_a_reading_older_than_another_change_is_refused_with_409()
    {
        var (api, _) = await host.AdminApiAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/admin/api/clients", Json.Body(NewClient("update-race")))).StatusCode);

        var late = await InterleavedAsync(async () =>
        {
            var response = await api.PostAsync("/admin/api/clients/update-race/rotate-secret", Json.Body(new { overlapSeconds = 0 }));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }, service => service.UpdateAsync("update-race", new IdentityBridge.Admin.Contracts.ClientInput
        {
            ClientName = "Renamed",
            RedirectUris = ["https://app.example.com/callback"],
            AllowedScopes = ["openid"],
            AllowedGrantTypes = ["authorization_code"],
        }, "test"));

        Assert.Equal(AdminErrorKind.Conflict, late.Error?.Kind);
        var stored = await host.WithDbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "update-race"));
        Assert.Equal("App update-race", stored.ClientName);
        Assert.Equal(2, await host.WithDbAsync(db => db.ClientSecrets.CountAsync(s => s.ClientId == "update-race")));
    }

    [Fact]
    public async Task The_redirect_uri_check_endpoint_applies_the_registration_rules()
    {
        var (api, _) = await host.AdminApiAsync();
        var ok = await Json.ReadAsync(await api.GetAsync("/admin/api/validate/redirect-uri?uri=" + Uri.EscapeDataString("https://a.example/cb")));
        Assert.True(ok.GetProperty("valid").GetBoolean());
        var bad = await Json.ReadAsync(await api.GetAsync("/admin/api/validate/redirect-uri?uri=" + Uri.EscapeDataString("javascript:alert(1)")));
        Assert.False(bad.GetProperty("valid").GetBoolean());
        Assert.Contains("javascript", bad.GetProperty("error").GetString());
        var native = await Json.ReadAsync(await api.GetAsync("/admin/api/validate/redirect-uri?clientType=public&uri=" + Uri.EscapeDataString("com.example.app:/cb")));
        Assert.True(native.GetProperty("valid").GetBoolean());
    }

    /// <summary>Sends <paramref name="method"/> with <paramref name="ifMatch"/> as the If-Match field (not sent when null).</summary>
    private static Task<HttpResponseMessage> SendAsync(HttpClient api, HttpMethod method, string path, string? ifMatch, HttpContent? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body };
        if (ifMatch is not null) Assert.True(request.Headers.TryAddWithoutValidation("If-Match", ifMatch));
        return api.SendAsync(request);
    }

    /// <summary>The response's entity tag, asserting it is a strong one (RFC 9110 section 8.8.3).</summary>
    private static string StrongTag(HttpResponseMessage response)
    {
        var tag = response.Headers.ETag;
        Assert.NotNull(tag);
        Assert.False(tag.IsWeak);
        Assert.StartsWith("\"", tag.Tag, StringComparison.Ordinal);
        return tag.Tag;
    }

    [Fact]
    public async Task A_client_has_a_strong_etag_that_every_change_replaces()
    {
        var (api, _) = await host.AdminApiAsync();
        var created = await api.PostAsync("/admin/api/clients", Json.Body(NewClient("etag-client")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var first = StrongTag(await api.GetAsync("/admin/api/clients/etag-client"));
        Assert.Equal(first, StrongTag(await api.GetAsync("/admin/api/clients/etag-client")));

        var replaced = await api.PutAsync("/admin/api/clients/etag-client", Json.Body(NewClient("etag-client", "https://app.example.com/other")));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var second = StrongTag(replaced);
        Assert.NotEqual(first, second);
        Assert.Equal(second, StrongTag(await api.GetAsync("/admin/api/clients/etag-client")));

        var disabled = await api.PatchAsync("/admin/api/clients/etag-client", Json.Body(new { enabled = false }));
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        var third = StrongTag(disabled);
        Assert.NotEqual(second, third);

        var rotated = await api.PostAsync("/admin/api/clients/etag-client/rotate-secret", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var fourth = StrongTag(rotated);
        Assert.NotEqual(third, fourth);
        Assert.Equal(fourth, StrongTag(await api.GetAsync("/admin/api/clients/etag-client")));
    }

    [Fact]
    public async Task A_change_with_a_stale_if_match_is_refused_with_412_and_changes_nothing()
    {
        var (api, _) = await host.AdminApiAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/admin/api/clients", Json.Body(NewClient("etag-stale")))).StatusCode);
        var stale = StrongTag(await api.GetAsync("/admin/api/clients/etag-stale"));
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync("/admin/api/clients/etag-stale", Json.Body(new { enabled = false }))).StatusCode);
        var current = await api.GetStringAsync("/admin/api/clients/etag-stale");
        var events = await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.ClientId == "etag-stale"));

        var renamed = NewClient("etag-stale", "https://app.example.com/renamed");
        foreach (var (method, path, body) in new (HttpMethod, string, HttpContent?)[]
                 {
                     (HttpMethod.Put, "/admin/api/clients/etag-stale", Json.Body(renamed)),
                     (HttpMethod.Patch, "/admin/api/clients/etag-stale", Json.Body(new { enabled = true })),
                     (HttpMethod.Post, "/admin/api/clients/etag-stale/rotate-secret", null),
                     (HttpMethod.Delete, "/admin/api/clients/etag-stale", null),
                 })
        {
            var refused = await SendAsync(api, method, path, stale, body);
            var problem = await Json.ProblemAsync(refused, 412);
            Assert.Contains("rfc9110#section-15.5.13", problem.GetProperty("type").GetString());
        }

        Assert.Equal(current, await api.GetStringAsync("/admin/api/clients/etag-stale"));
        Assert.Equal(1, await host.WithDbAsync(db => db.ClientSecrets.CountAsync(s => s.ClientId == "etag-stale")));
        Assert.Equal(events, await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.ClientId == "etag-stale")));
    }

    [Fact]
    public async Task A_change_with_the_current_etag_or_a_star_or_no_if_match_goes_through()
    {
        var (api, _) = await host.AdminApiAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/admin/api/clients", Json.Body(NewClient("etag-match")))).StatusCode);
        var tag = StrongTag(await api.GetAsync("/admin/api/clients/etag-match"));

        // The current tag, also among others in a list.
        var put = await SendAsync(api, HttpMethod.Put, "/admin/api/clients/etag-match", $"\"other\", {tag}", Json.Body(NewClient("etag-match", "https://app.example.com/a")));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        tag = StrongTag(put);
        // The weak form of the current tag never matches: If-Match compares strongly (RFC 9110 section 13.1.1).
        await Json.ProblemAsync(await SendAsync(api, HttpMethod.Patch, "/admin/api/clients/etag-match", "W/" + tag, Json.Body(new { enabled = false })), 412);
        var patched = await SendAsync(api, HttpMethod.Patch, "/admin/api/clients/etag-match", tag, Json.Body(new { enabled = false }));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var rotated = await SendAsync(api, HttpMethod.Post, "/admin/api/clients/etag-match/rotate-secret", StrongTag(patched));
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);

        // "*" matches whatever the client is now; no If-Match at all works as before.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(api, HttpMethod.Patch, "/admin/api/clients/etag-match", "*", Json.Body(new { enabled = true }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(api, HttpMethod.Put, "/admin/api/clients/etag-match", null, Json.Body(NewClient("etag-match")))).StatusCode);

        // A field that is no entity tag is a malformed request.
        var malformed = await SendAsync(api, HttpMethod.Patch, "/admin/api/clients/etag-match", "not-quoted", Json.Body(new { enabled = false }));
        Assert.True((await Json.ProblemAsync(malformed, 400)).GetProperty("errors").TryGetProperty("If-Match", out _));
        // A client that does not exist is not found, whatever If-Match says.
        await Json.ProblemAsync(await SendAsync(api, HttpMethod.Delete, "/admin/api/clients/etag-none", "*"), 404);

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(api, HttpMethod.Delete, "/admin/api/clients/etag-match",
            StrongTag(await api.GetAsync("/admin/api/clients/etag-match")))).StatusCode);
    }

    /// <summary>A GET with <paramref name="ifNoneMatch"/> as the If-None-Match field.</summary>
    private static Task<HttpResponseMessage> ConditionalGetAsync(HttpClient api, string path, string ifNoneMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        Assert.True(request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch));
        return api.SendAsync(request);
    }

    [Fact]
    public async Task A_get_whose_if_none_match_names_the_current_etag_is_304_with_the_tag_and_no_body()
    {
        var (api, _) = await host.AdminApiAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/admin/api/clients", Json.Body(NewClient("etag-cached")))).StatusCode);
        const string path = "/admin/api/clients/etag-cached";
        var tag = StrongTag(await api.GetAsync(path));

        // The current tag, its weak form (If-None-Match compares weakly, RFC 9110 section 13.1.2), among others, or "*".
        foreach (var field in new[] { tag, "W/" + tag, $"\"other\", {tag}", "*" })
        {
            var cached = await ConditionalGetAsync(api, path, field);
            Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
            Assert.Equal(tag, StrongTag(cached));
            Assert.Empty(await cached.Content.ReadAsByteArrayAsync());
        }

        // Changed since: the client as it now is, with its new tag.
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync(path, Json.Body(new { enabled = false }))).StatusCode);
        var changed = await ConditionalGetAsync(api, path, tag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(tag, StrongTag(changed));
        Assert.False((await Json.ReadAsync(changed)).GetProperty("enabled").GetBoolean());

        // A field that is no entity tag is a malformed request, as for If-Match; a client that does not exist is not found.
        var malformed = await ConditionalGetAsync(api, path, "not-quoted");
        Assert.True((await Json.ProblemAsync(malformed, 400)).GetProperty("errors").TryGetProperty("If-None-Match", out _));
        await Json.ProblemAsync(await ConditionalGetAsync(api, "/admin/api/clients/etag-none", "*"), 404);
    }
}
