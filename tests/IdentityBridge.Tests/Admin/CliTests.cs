using System.Net;
using System.Text.Json;
using IdentityBridge.Cli;
using IdentityBridge.Clients;
using IdentityBridge.Storage;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Admin;

/// <summary>The admin verbs, run in-process against a database of their own.</summary>
public sealed class CliTests
{
    private const string WalletA = AccountsApiTests.WalletA;
    private const string WalletB = AccountsApiTests.WalletB;

    private sealed record Run(int Exit, string Out, string Err);

    private sealed class Cli
    {
        public Cli(string? connectionString = null)
        {
            ConnectionString = connectionString ?? TestDatabase.CreateDatabase();
            Settings = new Dictionary<string, string?>
            {
                ["Bridge:Issuer"] = "https://login.example.com",
                ["Bridge:Database:Provider"] = TestDatabase.Provider,
                ["Bridge:Database:ConnectionString"] = ConnectionString,
                ["Xumm:ApiKey"] = BridgeFactory.XummApiKey,
                ["Xumm:ApiSecret"] = BridgeFactory.XummApiSecret,
                ["Xumm:Simulator:Enabled"] = "false",
            };
        }

        public string ConnectionString { get; }
        public Dictionary<string, string?> Settings { get; }

        public async Task<Run> RunAsync(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var exit = await CliApp.RunAsync(args, new CliContext { Output = output, Error = error, Settings = Settings });
            return new Run(exit, output.ToString(), error.ToString());
        }

        public async Task<Run> OkAsync(params string[] args)
        {
            var run = await RunAsync(args);
            Assert.True(run.Exit == 0, $"{string.Join(' ', args)} exited {run.Exit}: {run.Err}");
            return run;
        }

        public async Task<T> DbAsync<T>(Func<BridgeDbContext, Task<T>> query)
        {
            await using var app = await CliApp.BuildHostAsync(migrate: false, settings: Settings);
            await using var scope = app.Services.CreateAsyncScope();
            return await query(scope.ServiceProvider.GetRequiredService<BridgeDbContext>());
        }
    }

    [Fact]
    public async Task Clients_add_list_update_rotate_remove()
    {
        var cli = new Cli();
        var added = await cli.OkAsync("clients", "add", "billing", "--name", "Billing", "--redirect-uri", "https://billing.example.com/cb",
            "--scope", "openid", "profile", "--grant", "authorization_code", "refresh_token");
        var secret = added.Out.Split('\n').Single(l => l.StartsWith("Client secret: ", StringComparison.Ordinal))["Client secret: ".Length..].Trim();
        Assert.True(await cli.DbAsync(db => db.ClientSecrets.Where(s => s.ClientId == "billing").Select(s => s.Hash).ToListAsync()) is [var hash] && ClientSecretHasher.Verify(secret, hash));

        var table = await cli.OkAsync("clients", "list");
        Assert.Contains("CLIENT ID", table.Out);
        Assert.Contains("billing", table.Out);
        var list = JsonDocument.Parse((await cli.OkAsync("clients", "list", "--json")).Out).RootElement;
        var billing = list.EnumerateArray().Single(c => c.GetProperty("clientId").GetString() == "billing");
        Assert.Equal(["openid", "profile"], billing.GetProperty("allowedScopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
        Assert.DoesNotContain("sha256:", list.ToString());

        await cli.OkAsync("clients", "update", "billing", "--name", "Billing v2", "--redirect-uri", "https://billing.example.com/cb2", "--enabled", "false");
        var client = await cli.DbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "billing"));
        Assert.Equal("Billing v2", client.ClientName);
        Assert.False(client.Enabled);
        Assert.Contains("cb2", client.RedirectUris);
        Assert.Equal("openid profile", client.AllowedScopes);

        var rotated = await cli.OkAsync("clients", "rotate-secret", "billing", "--overlap", "60", "--json");
        var newSecret = JsonDocument.Parse(rotated.Out).RootElement.GetProperty("clientSecret").GetString()!;
        Assert.NotEqual(secret, newSecret);
        Assert.Equal(2, await cli.DbAsync(db => db.ClientSecrets.CountAsync(s => s.ClientId == "billing")));

        await cli.OkAsync("clients", "remove", "billing");
        var again = await cli.RunAsync("clients", "remove", "billing");
        Assert.Equal(1, again.Exit);
        Assert.Contains("not found", again.Err);

        var actors = await cli.DbAsync(db => db.AuditEvents.Where(e => e.ClientId == "billing").Select(e => e.Actor).Distinct().ToListAsync());
        Assert.Equal(["cli"], actors);
    }

    [Fact]
    public async Task Clients_add_and_update_set_the_front_channel_logout_uri()
    {
        var cli = new Cli();
        await cli.OkAsync("clients", "add", "frames", "--redirect-uri", "https://frames.example.com/cb",
            "--front-channel-logout-uri", "https://frames.example.com/logout", "--front-channel-logout-session-required", "true");
        var client = await cli.DbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "frames"));
        Assert.Equal("https://frames.example.com/logout", client.FrontChannelLogoutUri);
        Assert.True(client.FrontChannelLogoutSessionRequired);

        var refused = await cli.RunAsync("clients", "update", "frames", "--front-channel-logout-uri", "http://frames.example.com/logout");
        Assert.NotEqual(0, refused.Exit);
        Assert.Contains("frontChannelLogoutUri", refused.Err);

        // Options not given keep what the client has.
        await cli.OkAsync("clients", "update", "frames", "--name", "Frames");
        client = await cli.DbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "frames"));
        Assert.Equal("https://frames.example.com/logout", client.FrontChannelLogoutUri);
        Assert.True(client.FrontChannelLogoutSessionRequired);
    }

    [Fact]
    public async Task Clients_add_and_update_set_the_request_requirements()
    {
        var cli = new Cli();
        await cli.OkAsync("clients", "add", "par-only", "--redirect-uri", "https://par.example.com/cb", "--require-pushed-authorization-requests", "true");
        var client = await cli.DbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "par-only"));
        Assert.True(client.RequirePushedAuthorizationRequests);
        Assert.False(client.RequireSignedRequestObject);

        // RFC 9101 §10.5: without a JWKS there is no key to verify a request object with.
        var refused = await cli.RunAsync("clients", "update", "par-only", "--require-signed-request-object", "true");
        Assert.NotEqual(0, refused.Exit);
        Assert.Contains("requireSignedRequestObject", refused.Err);

        await cli.OkAsync("clients", "update", "par-only", "--name", "PAR only");
        client = await cli.DbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "par-only"));
        Assert.True(client.RequirePushedAuthorizationRequests);
    }

    [Fact]
    public async Task Clients_update_to_a_secret_method_prints_a_secret_once_that_authenticates()
    {
        // A client moved to client_secret_basic with no secret could not authenticate, and rotate-secret refused
        // it as a client without a secret: the update must print a secret, as add does.
        await using var bridge = new BridgeFactory();
        var api = bridge.CreateApiClient();
        var cli = new Cli(bridge.ConnectionString);
        var added = await cli.OkAsync("clients", "add", "robot", "--type", "public", "--redirect-uri", "http://127.0.0.1/cb");
        Assert.DoesNotContain("Client secret", added.Out);

        var updated = await cli.OkAsync("clients", "update", "robot", "--type", "confidential", "--grant", "client_credentials", "--scope", "profile",
            "--redirect-uri", "https://robot.example.com/cb");
        var secret = updated.Out.Split('\n').Single(l => l.StartsWith("Client secret: ", StringComparison.Ordinal))["Client secret: ".Length..].Trim();
        Assert.Contains("not shown again", updated.Out);
        Assert.Equal("client_secret_basic", await cli.DbAsync(db => db.Clients.Where(c => c.ClientId == "robot").Select(c => c.TokenEndpointAuthMethod).SingleAsync()));
        Assert.Equal(HttpStatusCode.OK, (await ClientCredentialsAsync(api, "robot", secret)).StatusCode);
        var details = await cli.DbAsync(db => db.AuditEvents.Where(e => e.ClientId == "robot" && e.Type == "client.updated").Select(e => e.Details).SingleAsync());
        Assert.Contains("secretIssued", details);
        Assert.DoesNotContain(secret, details);

        var again = await cli.OkAsync("clients", "update", "robot", "--name", "Robot", "--auth-method", "client_secret_basic");
        Assert.DoesNotContain("Client secret", again.Out);
        var json = JsonDocument.Parse((await cli.OkAsync("clients", "update", "robot", "--name", "Robot 2", "--json")).Out).RootElement;
        Assert.False(json.TryGetProperty("clientSecret", out _));
        Assert.Equal(1, await cli.DbAsync(db => db.ClientSecrets.CountAsync(s => s.ClientId == "robot")));
        Assert.Equal(HttpStatusCode.OK, (await ClientCredentialsAsync(api, "robot", secret)).StatusCode);
    }

    private static async Task<HttpResponseMessage> ClientCredentialsAsync(HttpClient api, string clientId, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "profile" }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret))));
        return await api.SendAsync(request);
    }

    [Fact]
    public async Task Bad_input_exits_non_zero_with_a_clear_message()
    {
        var cli = new Cli();
        var js = await cli.RunAsync("clients", "add", "evil", "--redirect-uri", "javascript:alert(1)");
        Assert.Equal(1, js.Exit);
        Assert.Contains("redirectUris[0]", js.Err);
        Assert.Contains("javascript", js.Err);

        await cli.OkAsync("clients", "add", "dup", "--redirect-uri", "https://a.example/cb");
        var dup = await cli.RunAsync("clients", "add", "dup", "--redirect-uri", "https://a.example/cb");
        Assert.Equal(1, dup.Exit);
        Assert.Contains("already exists", dup.Err);

        var unknownClient = await cli.RunAsync("clients", "update", "ghost", "--name", "x");
        Assert.Equal(1, unknownClient.Exit);
        Assert.Contains("ghost", unknownClient.Err);

        var badWallet = await cli.RunAsync("accounts", "add", "--wallet", "rNotAWallet");
        Assert.Equal(1, badWallet.Exit);
        Assert.Contains("r-address", badWallet.Err);

        var unknownAccount = await cli.RunAsync("accounts", "disable", "no-such-account");
        Assert.Equal(1, unknownAccount.Exit);
        Assert.Contains("no-such-account", unknownAccount.Err);

        var usage = await cli.RunAsync("clients", "add");
        Assert.NotEqual(0, usage.Exit);

        var missing = await cli.RunAsync("import", Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".json"));
        Assert.Equal(1, missing.Exit);

        var brokenConfig = new Cli();
        brokenConfig.Settings["Bridge:Issuer"] = "not a url";
        var broken = await brokenConfig.RunAsync("clients", "list");
        Assert.Equal(2, broken.Exit);
        Assert.Contains("Bridge:Issuer", broken.Err);
    }

    [Fact]
    public async Task Accounts_add_link_disable_enable_grant_by_id_or_wallet()
    {
        var cli = new Cli();
        var created = JsonDocument.Parse((await cli.OkAsync("accounts", "add", "--name", "Ops", "--wallet", WalletA, "--json")).Out).RootElement;
        var id = created.GetProperty("id").GetString()!;

        await cli.OkAsync("accounts", "link-wallet", id, WalletB, "--network", "TESTNET");
        await cli.OkAsync("accounts", "grant-role", WalletB, "bridge-admin");
        var disabled = await cli.OkAsync("accounts", "disable", WalletA);
        Assert.Contains("disabled", disabled.Out);
        var again = JsonDocument.Parse((await cli.OkAsync("accounts", "disable", id, "--json")).Out).RootElement;
        Assert.False(again.GetProperty("account").GetProperty("enabled").GetBoolean());
        Assert.Equal("Disabled", (await cli.DbAsync(db => db.Accounts.Where(a => a.Id == id).Select(a => a.Status).SingleAsync())).ToString());
        await cli.OkAsync("accounts", "enable", id);

        var listed = JsonDocument.Parse((await cli.OkAsync("accounts", "list", "--role", "bridge-admin", "--json")).Out).RootElement;
        var account = listed.EnumerateArray().Single();
        Assert.Equal(id, account.GetProperty("id").GetString());
        Assert.Equal([WalletA, WalletB], account.GetProperty("wallets").EnumerateArray().Select(w => w.GetProperty("address").GetString()!).Order().ToArray());
        Assert.True(account.GetProperty("enabled").GetBoolean());

        var elsewhere = await cli.OkAsync("accounts", "add", "--name", "Other");
        Assert.Contains("created", elsewhere.Out);
        var otherId = elsewhere.Out.Split(' ')[1];
        var conflict = await cli.RunAsync("accounts", "link-wallet", otherId, WalletA);
        Assert.Equal(1, conflict.Exit);
        Assert.Contains("linked to another account", conflict.Err);

        await cli.OkAsync("accounts", "unlink-wallet", id, WalletB);
        Assert.Contains("no longer enrolled", (await cli.OkAsync("accounts", "unenrol", WalletA)).Out);
        Assert.False(await cli.DbAsync(db => db.Accounts.Where(a => a.Id == id).Select(a => a.Enrolled).SingleAsync()));
        var table = await cli.OkAsync("accounts", "list");
        Assert.Contains("Ops", table.Out);
        Assert.Contains("ENROLLED", table.Out);
        Assert.DoesNotContain(WalletB, table.Out);
        var enrolled = JsonDocument.Parse((await cli.OkAsync("accounts", "enrol", id, "--json")).Out).RootElement;
        Assert.True(enrolled.GetProperty("enrolled").GetBoolean());

        var types = await cli.DbAsync(db => db.AuditEvents.Where(e => e.AccountId == id && e.Actor == "cli").Select(e => e.Type).ToListAsync());
        foreach (var t in new[] { "account.created", "wallet.linked", "account.role_granted", "account.disabled", "account.enabled", "wallet.unlinked", "account.unenrolled", "account.enrolled" })
            Assert.Contains(t, types);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public async Task Help_lists_the_verbs_instead_of_starting_the_server(string flag)
    {
        // Anything that is not a verb starts the server, so asking for help must be recognised as a command.
        Assert.True(CliApp.IsCommand([flag]));

        var help = await new Cli().OkAsync(flag);
        foreach (var verb in new[] { "migrate", "clients", "accounts", "keys", "export", "import" })
            Assert.Contains(verb, help.Out, StringComparison.Ordinal);
        Assert.Contains("starts the server", help.Out, StringComparison.Ordinal);
        Assert.True(CliApp.IsCommand(["--version"]), "the help lists --version, which must not start the server either");
    }

    [Fact]
    public async Task Migrate_applies_the_schema_once_and_then_reports_it_up_to_date()
    {
        var cli = new Cli();
        var first = await cli.OkAsync("migrate");
        Assert.Contains("Applied: " + DatabaseMigrator.InitialMigration, first.Out, StringComparison.Ordinal);
        var second = await cli.OkAsync("migrate");
        Assert.Contains("Database is up to date.", second.Out, StringComparison.Ordinal);
        Assert.Contains(DatabaseMigrator.InitialMigration, second.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_with_a_refused_setting_says_which_and_exits_2_without_a_stack()
    {
        var cli = new Cli();
        cli.Settings["Bridge:Session:Lifetime"] = "-00:01:00";
        var run = await cli.RunAsync("migrate");
        Assert.Equal(2, run.Exit);
        Assert.Contains("error: Bridge:Session:Lifetime must be positive", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_to_an_unknown_migration_is_refused_with_its_name()
    {
        var cli = new Cli();
        var run = await cli.RunAsync("migrate", "--to", "20990101000000_NoSuchMigration");
        Assert.Equal(1, run.Exit);
        Assert.Contains("20990101000000_NoSuchMigration", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_rotate_and_list()
    {
        var cli = new Cli();
        var rotated = JsonDocument.Parse((await cli.OkAsync("keys", "rotate", "--algorithm", "ES256", "--json")).Out).RootElement;
        var kid = rotated.GetProperty("kid").GetString()!;
        var table = await cli.OkAsync("keys", "list");
        Assert.Contains(kid, table.Out);
        Assert.Contains("ES256", table.Out);
        var bad = await cli.RunAsync("keys", "rotate", "--algorithm", "none");
        Assert.Equal(1, bad.Exit);
        Assert.Contains("algorithm", bad.Err);
    }

    [Fact]
    public async Task Keys_revoke()
    {
        var cli = new Cli();
        var kid = JsonDocument.Parse((await cli.OkAsync("keys", "rotate", "--algorithm", "ES256", "--json")).Out).RootElement.GetProperty("kid").GetString()!;
        var revoked = await cli.OkAsync("keys", "revoke", kid);
        Assert.Contains(kid, revoked.Out);
        Assert.Contains("revoked", revoked.Out);
        var keys = JsonDocument.Parse((await cli.OkAsync("keys", "list", "--json")).Out).RootElement.EnumerateArray().ToList();
        Assert.Equal("revoked", keys.Single(k => k.GetProperty("kid").GetString() == kid).GetProperty("status").GetString());
        Assert.Contains(keys, k => k.GetProperty("algorithm").GetString() == "ES256" && k.GetProperty("status").GetString() == "active");
        Assert.True(await cli.DbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == "key.revoked" && e.Actor == "cli")));

        var unknown = await cli.RunAsync("keys", "revoke", "no-such-kid");
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("no-such-kid", unknown.Err);
    }

    [Fact]
    public async Task Export_import_export_round_trips_byte_for_byte()
    {
        var source = new Cli();
        await source.OkAsync("clients", "add", "web", "--name", "Web", "--redirect-uri", "https://web.example.com/cb", "--scope", "openid", "email");
        await source.OkAsync("clients", "rotate-secret", "web", "--overlap", "3600");
        await source.OkAsync("clients", "add", "mobile", "--type", "public", "--redirect-uri", "com.example.mobile:/cb", "http://127.0.0.1/cb");
        await source.OkAsync("accounts", "add", "--name", "Ada", "--email", "ada@example.com", "--wallet", WalletA, "--role", "bridge-admin", "staff");
        var disabled = await source.OkAsync("accounts", "add", "--name", "Bob", "--wallet", WalletB);
        await source.OkAsync("accounts", "disable", disabled.Out.Split(' ')[1]);

        var first = (await source.OkAsync("export")).Out;
        using (var doc = JsonDocument.Parse(first))
        {
            Assert.Equal("identitybridge-export", doc.RootElement.GetProperty("format").GetString());
            Assert.Equal(2, doc.RootElement.GetProperty("clients").GetArrayLength());
            Assert.Equal(2, doc.RootElement.GetProperty("accounts").GetArrayLength());
            var web = doc.RootElement.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("clientId").GetString() == "web");
            Assert.Equal(2, web.GetProperty("secrets").GetArrayLength());
            Assert.StartsWith("sha256:", web.GetProperty("secrets")[0].GetProperty("hash").GetString());
        }

        var file = Path.Combine(Path.GetTempPath(), $"bridge-export-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, first);
        var target = new Cli();
        var imported = await target.OkAsync("import", file);
        Assert.Contains("2 client(s) created", imported.Out);
        Assert.Contains("2 account(s) created", imported.Out);
        var second = (await target.OkAsync("export")).Out;
        Assert.Equal(first, second);

        // Importing the same file again changes nothing and exports the same bytes.
        var again = await target.OkAsync("import", file, "--json");
        Assert.Equal(4, JsonDocument.Parse(again.Out).RootElement.GetProperty("unchanged").GetInt32());
        Assert.Equal(first, (await target.OkAsync("export")).Out);

        // Upsert: a changed file updates what it names and leaves the rest alone.
        var edited = first.Replace("\"Ada\"", "\"Ada L.\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, edited);
        await target.OkAsync("clients", "add", "local-only", "--redirect-uri", "https://local.example/cb");
        var update = await target.OkAsync("import", file);
        Assert.Contains("1 updated", update.Out);
        Assert.True(await target.DbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "local-only")));
        Assert.Equal("Ada L.", await target.DbAsync(db => db.Accounts.Where(a => a.Email == "ada@example.com").Select(a => a.DisplayName).SingleAsync()));
        File.Delete(file);
    }

    [Fact]
    public async Task Import_refuses_an_invalid_file_without_writing_anything()
    {
        var cli = new Cli();
        var file = Path.Combine(Path.GetTempPath(), $"bridge-import-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            {"format":"identitybridge-export","version":1,
             "clients":[{"clientId":"ok","redirectUris":["https://ok.example/cb"]},{"clientId":"bad","redirectUris":["https://x.example/cb#frag"]}],
             "accounts":[{"id":"acc1","wallets":[{"address":"rBroken"}]}]}
            """);
        var run = await cli.RunAsync("import", file);
        Assert.Equal(1, run.Exit);
        Assert.Contains("clients[1].redirectUris[0]", run.Err);
        Assert.Contains("accounts[0].wallets[0].address", run.Err);
        Assert.False(await cli.DbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "ok")));

        await File.WriteAllTextAsync(file, """{"format":"identitybridge-export","version":1,"extra":true}""");
        var unknown = await cli.RunAsync("import", file);
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("extra", unknown.Err);
        File.Delete(file);
    }

    [Theory]
    [InlineData("""{"format":"identitybridge-export","version":1,"clients":[null]}""", "clients[0]")]
    [InlineData("""{"format":"identitybridge-export","version":1,"accounts":[null]}""", "accounts[0]")]
    [InlineData("""{"format":"identitybridge-export","version":1,"accounts":[{"id":"acc-null-wallet","wallets":[null]}]}""", "accounts[0].wallets[0]")]
    [InlineData("""{"format":"identitybridge-export","version":1,"clients":[{"clientId":"null-secret","redirectUris":["https://ok.example/cb"],"secrets":[null]}]}""", "clients[0].secrets[0]")]
    public async Task Import_of_a_file_with_null_entries_is_refused_with_the_field_not_a_crash(string content, string field)
    {
        var cli = new Cli();
        var file = Path.Combine(Path.GetTempPath(), $"bridge-import-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, content);
        var run = await cli.RunAsync("import", file);
        File.Delete(file);
        Assert.Equal(1, run.Exit);
        Assert.DoesNotContain("Exception", run.Err);
        Assert.Contains(field + ":", run.Err);
        Assert.False(await cli.DbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "null-secret")));
        Assert.False(await cli.DbAsync(db => db.Accounts.AnyAsync(a => a.Id == "acc-null-wallet")));
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("ada@example.com\nBcc: eve@example.com")]
    [InlineData(" ada@example.com")]
    public async Task Import_refuses_an_email_the_admin_api_would_refuse(string email)
    {
        // The address is released as the email claim: an import must not store what the API and console refuse.
        var cli = new Cli();
        var file = Path.Combine(Path.GetTempPath(), $"bridge-import-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
        {
            format = "identitybridge-export", version = 1,
            accounts = new[] { new { id = "acc-bad-email", email, emailVerified = true } },
        }));
        var run = await cli.RunAsync("import", file);
        File.Delete(file);
        Assert.Equal(1, run.Exit);
        Assert.Contains("accounts[0].email:", run.Err);
        Assert.False(await cli.DbAsync(db => db.Accounts.AnyAsync(a => a.Id == "acc-bad-email")));
    }
}
