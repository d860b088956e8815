using System.Net;
using System.Text.Json;
using IdentityBridge.Tests.Infrastructure;
using IdentityBridge.Tests.Provider;
using IdentityBridge.Xumm;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Admin;

/// <summary>
/// The admin API with a valid admin bearer token, fed requests the <see cref="RequestFuzzer"/> derives from valid ones
/// (a fixed seed per area; bearer tokens with changed claims are signed again with the test key, so they reach the
/// claim checks): never a 5xx, no exception text, and a refused request leaves the resource it names as it was.
/// </summary>
public sealed class AdminApiFuzzTests(AdminApiFuzzTests.Host host, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<AdminApiFuzzTests.Host>
{
    /// <summary>
    /// The admin host without the minute-by-minute key maintenance: withdrawing a pending key (an accepted request
    /// of the keys area) has the next maintenance run announce another, which would show in the key list between
    /// two later requests and read as a change made by a refused one.
    /// </summary>
    public sealed class Host : AdminHost
    {
        public Host()
        {
            var admin = ConfigureTestServices;
            ConfigureTestServices = services =>
            {
                admin?.Invoke(services);
                foreach (var maintenance in services.Where(d => d.ServiceType == typeof(IHostedService)
                             && d.ImplementationType == typeof(IdentityBridge.Provider.Keys.KeyMaintenanceService)).ToList())
                    services.Remove(maintenance);
            };
        }
    }

    private const int Budget = 60;

    public static TheoryData<string> Areas => new() { "accounts", "account-parts", "clients", "operations", "keys", "bearer" };

    [Theory]
    [MemberData(nameof(Areas))]
    public async Task Hostile_requests_never_break_the_admin_api(string area)
    {
        var (admin, adminId) = await host.AdminApiAsync();
        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), s => s is IdentityBridge.Provider.Keys.KeyMaintenanceService);
        var checks = new FuzzChecks([]);
        var fuzzer = new RequestFuzzer(ProviderFuzzTests.Seed(area));
        foreach (var target in Targets(area, adminId))
        {
            var request = await target.Fresh();
            var before = await StateAsync(admin, target.State);
            for (var i = 0; i < Budget; i++)
            {
                if (i > 0 && i % target.Every == 0 || before is null)
                {
                    request = await target.Fresh();
                    before = await StateAsync(admin, target.State);
                }
                var mutated = fuzzer.Mutate(request);
                using var response = await checks.SendAsync(admin, mutated, area);
                var after = await StateAsync(admin, target.State);
                var status = (int)response.StatusCode;
                if (status is >= 400 and < 500 && after != before)
                    checks.Record(area, $"refused with {status} but changed {target.State?.Invoke()}", mutated, $"before: {before}\nafter: {after}");
                before = after;
            }
        }
        Assert.Equal(HttpStatusCode.OK, (await host.CreateApiClient().GetAsync("/.well-known/openid-configuration")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/api/accounts")).StatusCode);
        output.WriteLine(checks.Summary);
        checks.AssertNone();
    }

    /// <summary>What a resource looks like now (its body and entity tag), or null when it is gone.</summary>
    private static async Task<string?> StateAsync(HttpClient admin, Func<string>? state)
    {
        if (state is null) return "";
        using var response = await admin.GetAsync(state());
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag + " " + await response.Content.ReadAsStringAsync();
    }

    private sealed record Target(Func<Task<FuzzRequest>> Fresh, Func<string>? State, int Every = 20);

    private IEnumerable<Target> Targets(string area, string adminId)
    {
        // The resource the current requests of a target change: set by its Fresh, read by its State.
        var current = "";
        Func<string> account = () => "/admin/api/accounts/" + current;
        Func<string> client = () => "/admin/api/clients/" + current;
        switch (area)
        {
            case "accounts":
                yield return new(() => Task.FromResult(JsonRequest("POST", "/admin/api/accounts",
                    new { displayName = "Fuzz", email = "fuzz@example.com", roles = new[] { "staff" }, wallets = new[] { XrplAddress.CreateRandom() } })), null);
                yield return new(async () =>
                {
                    current = await host.CreateAccountAsync(XrplAddress.CreateRandom(), "staff");
                    return JsonRequest("PUT", "/admin/api/accounts/" + current, new { displayName = "Alice", email = "alice@example.com", emailVerified = true }, 4);
                }, account);
                yield return new(async () =>
                {
                    current = await host.CreateAccountAsync(XrplAddress.CreateRandom());
                    return JsonRequest("PATCH", "/admin/api/accounts/" + current, new { enabled = false, enrolled = true }, 4);
                }, account);
                yield return new(async () =>
                {
                    current = await host.CreateAccountAsync(XrplAddress.CreateRandom());
                    return Route("DELETE", "/admin/api/accounts/" + current, 4);
                }, account, 5);
                yield return new(() => Task.FromResult(Route("GET", "/admin/api/accounts", query: FuzzRequest.Pairs(("q", "Test"), ("enabled", "true"), ("enrolled", "false"),
                    ("role", "staff"), ("page", "1"), ("pageSize", "20")))), null);
                yield return new(async () =>
                {
                    current = await host.CreateAccountAsync(XrplAddress.CreateRandom());
                    return Route("GET", "/admin/api/accounts/" + current, 4);
                }, null);
                break;
            case "account-parts":
                yield return new(async () =>
                {
                    current = await host.CreateAccountAsync(XrplAddress.CreateRandom());
                    return JsonRequest("POST", $"/admin/api/accounts/{current}/roles", new { role = "auditor" }, 4);
                }, account);
                yield return new(async () =>
                {
                    current = await host.CreateAccountAsync(XrplAddress.CreateRandom(), "auditor");
                    return Route("DELETE", $"/admin/api/accounts/{current}/roles/auditor", 4, 6);
                }, account, 5);
                yield return new(async () =>
                {
                    current = await host.CreateAccountAsync(XrplAddress.CreateRandom());
                    return JsonRequest("POST", $"/admin/api/accounts/{current}/wallets", new { address = XrplAddress.CreateRandom(), network = "MAINNET" }, 4);
                }, account, 10);
                yield return new(async () =>
                {
                    var wallet = XrplAddress.CreateRandom();
                    current = await host.CreateAccountAsync(wallet);
                    return Route("DELETE", $"/admin/api/accounts/{current}/wallets/{wallet}", 4, 6);
                }, account, 5);
                yield return new(async () =>
                {
                    current = await host.CreateAccountAsync(XrplAddress.CreateRandom());
                    return Route("GET", $"/admin/api/accounts/{current}/sessions", 4, query: FuzzRequest.Pairs(("all", "true"), ("page", "1"), ("pageSize", "5")));
                }, null);
                yield return new(async () =>
                {
                    current = await host.CreateAdminAsync();
                    var browser = await host.BrowserAsync(current);
                    var sessions = await Json.ReadAsync(await host.Api(host.Token(adminId)).GetAsync($"/admin/api/accounts/{current}/sessions"));
                    return Route("DELETE", "/admin/api/sessions/" + sessions.GetProperty("items")[0].GetProperty("id").GetString(), 4);
                }, null, 10);
                break;
            case "clients":
                yield return new(() => Task.FromResult(JsonRequest("POST", "/admin/api/clients", ClientBody("fuzz-" + Guid.NewGuid().ToString("N")[..8]))), null);
                yield return new(async () =>
                {
                    current = await CreateClientAsync(adminId);
                    return JsonRequest("PUT", "/admin/api/clients/" + current, ClientBody(current), 4);
                }, client);
                yield return new(async () =>
                {
                    current = await CreateClientAsync(adminId);
                    return JsonRequest("PATCH", "/admin/api/clients/" + current, new { enabled = false }, 4);
                }, client);
                yield return new(async () =>
                {
                    current = await CreateClientAsync(adminId);
                    return JsonRequest("POST", $"/admin/api/clients/{current}/rotate-secret", new { overlapSeconds = 60, description = "rotated" }, 4);
                }, client);
                yield return new(async () =>
                {
                    current = await CreateClientAsync(adminId);
                    return Route("DELETE", "/admin/api/clients/" + current, 4);
                }, client, 5);
                yield return new(() => Task.FromResult(Route("GET", "/admin/api/clients", query: FuzzRequest.Pairs(("search", "fuzz"), ("enabled", "true"), ("page", "1"), ("pageSize", "10")))), null);
                break;
            case "operations":
                yield return new(() => Task.FromResult(Route("GET", "/admin/api/audit", query: FuzzRequest.Pairs(("from", "2020-01-01"), ("to", "2100-01-01T00:00:00Z"), ("actor", adminId),
                    ("type", "account.created"), ("accountId", adminId), ("clientId", "web"), ("success", "true"), ("page", "1"), ("pageSize", "10")))), null);
                yield return new(() => Task.FromResult(Route("GET", "/admin/api/validate/redirect-uri", query: FuzzRequest.Pairs(("uri", "https://app.example/cb"), ("clientType", "confidential")))), null);
                yield return new(() => Task.FromResult(Route("GET", "/admin/api/keys")), null);
                yield return new(async () =>
                {
                    var keys = await Json.ReadAsync(await host.Api(host.Token(adminId)).GetAsync("/admin/api/keys"));
                    var kid = keys.EnumerateArray().Last().GetProperty("kid").GetString();
                    return JsonRequest("POST", $"/admin/api/keys/{kid}/retire", new { }, 4);
                }, () => "/admin/api/keys", 10);
                yield return new(() => Task.FromResult(Route("GET", "/admin/v1.json")), null);
                break;
            case "keys":
                // Key generation is slow (RSA above all): the valid requests ask for ES256 keys, and name a fresh ES256 key.
                yield return new(() => Task.FromResult(JsonRequest("POST", "/admin/api/keys/rotate", new { algorithm = "ES256" })), () => "/admin/api/keys");
                foreach (var operation in new[] { "retire", "revoke" })
                    yield return new(async () =>
                    {
                        var kid = (await host.Services.GetRequiredService<IdentityBridge.Provider.Keys.SigningKeyStore>().RotateNowAsync("ES256", immediate: false)).Kid;
                        return JsonRequest("POST", $"/admin/api/keys/{kid}/{operation}", new { }, 4);
                    }, () => "/admin/api/keys", 10);
                break;
            case "bearer":
                foreach (var path in new[] { "/admin/api/accounts", "/admin/api/clients/web", "/admin/api/keys" })
                    yield return new(async () =>
                    {
                        var request = Route("GET", path).With(MinterSigner);
                        request.Headers.Add(new("Authorization", "Bearer " + host.Token(adminId)));
                        return request;
                    }, null);
                break;
        }
    }

    private async Task<string> CreateClientAsync(string adminId)
    {
        var id = "fuzz-" + Guid.NewGuid().ToString("N")[..8];
        var response = await host.Api(host.Token(adminId)).PostAsync("/admin/api/clients", Json.Body(ClientBody(id)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private static object ClientBody(string id) => new
    {
        clientId = id,
        clientName = "Fuzz " + id,
        clientType = "confidential",
        redirectUris = new[] { "https://app.example/cb" },
        postLogoutRedirectUris = new[] { "https://app.example/signed-out" },
        allowedScopes = new[] { "openid", "profile" },
        allowedGrantTypes = new[] { "authorization_code", "refresh_token" },
        tokenEndpointAuthMethod = "client_secret_basic",
        requirePkce = true,
        accessTokenLifetime = 600,
        subjectType = "public",
        requiredNetwork = "MAINNET",
    };

    private static FuzzRequest JsonRequest(string method, string path, object body, params int[] routeSegments) => new()
    {
        Method = method,
        Path = path,
        Json = JsonSerializer.Serialize(body, new JsonSerializerOptions(JsonSerializerDefaults.Web)),
        ContentType = "application/json",
        RouteSegments = [.. routeSegments],
    };

    private static FuzzRequest Route(string method, string path, int routeSegment = -1, int second = -1, List<KeyValuePair<string, string?>>? query = null) => new()
    {
        Method = method,
        Path = path,
        Query = query ?? [],
        RouteSegments = [.. new[] { routeSegment, second }.Where(s => s >= 0)],
    };

    private static FuzzRequest Route(string method, string path, List<KeyValuePair<string, string?>> query) => Route(method, path, -1, -1, query);

    /// <summary>Signs changed claims of an admin token with the test admin token key (header as it is, typ included).</summary>
    private string MinterSigner(string header, string payload)
    {
        var input = Base64UrlEncoder.Encode(header) + "." + Base64UrlEncoder.Encode(payload);
        var signature = host.Minter.Key.Rsa.SignData(System.Text.Encoding.ASCII.GetBytes(input), System.Security.Cryptography.HashAlgorithmName.SHA256,
            System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        return input + "." + Base64UrlEncoder.Encode(signature);
    }
}
