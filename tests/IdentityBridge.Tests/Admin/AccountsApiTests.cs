using System.Net;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Admin;

public sealed class AccountsApiTests(AccountsApiTests.Host host) : IClassFixture<AccountsApiTests.Host>
{
    public sealed class Host : AdminHost;

    // Valid r-addresses (XRPL genesis and well-known accounts).
    public const string WalletA = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";
    public const string WalletB = "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe";
    public const string WalletC = "r9cZA1mLK5R5Am25ArfXFmqgNwjZgnfk59";
    public const string WalletD = "rLHzPsX6oXkzU2qL12kHCH8G8cnZv1rBJh";

    [Fact]
    public async Task Create_get_update_delete_with_audit()
    {
        var (api, admin) = await host.AdminApiAsync();
        var response = await api.PostAsync("/admin/api/accounts", Json.Body(new { displayName = "Alice", email = "alice@example.com", roles = new[] { "staff" }, wallets = new[] { WalletB } }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await Json.ReadAsync(response);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal(["staff"], created.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Equal(WalletB, created.GetProperty("wallets")[0].GetProperty("address").GetString());
        Assert.True(created.GetProperty("enabled").GetBoolean());

        var got = await Json.ReadAsync(await api.GetAsync($"/admin/api/accounts/{id}"));
        Assert.Equal("alice@example.com", got.GetProperty("email").GetString());

        var updated = await Json.ReadAsync(await api.PutAsync($"/admin/api/accounts/{id}", Json.Body(new { displayName = "Alice B", email = "ab@example.com", emailVerified = true })));
        Assert.Equal("Alice B", updated.GetProperty("displayName").GetString());
        Assert.True(updated.GetProperty("emailVerified").GetBoolean());
        var badEmail = await api.PutAsync($"/admin/api/accounts/{id}", Json.Body(new { email = "not an email" }));
        Assert.True((await Json.ProblemAsync(badEmail, 400)).GetProperty("errors").TryGetProperty("email", out _));

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/admin/api/accounts/{id}")).StatusCode);
        await Json.ProblemAsync(await api.GetAsync($"/admin/api/accounts/{id}"), 404);
        Assert.False(await host.WithDbAsync(db => db.Wallets.AnyAsync(w => w.Address == WalletB)));

        var types = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.AccountId == id).Select(e => e.Type).ToListAsync());
        Assert.Contains("account.created", types);
        Assert.Contains("account.updated", types);
        Assert.Contains("account.deleted", types);
        Assert.All(await host.WithDbAsync(db => db.AuditEvents.Where(e => e.AccountId == id).Select(e => e.Actor).ToListAsync()), a => Assert.Equal(admin, a));
    }

    [Fact]
    public async Task Bad_input_is_a_problem_never_a_500()
    {
        var (api, _) = await host.AdminApiAsync();
        var bad = await api.PostAsync("/admin/api/accounts", Json.Body(new { wallets = new[] { "rNotAnAddress" }, roles = new[] { "has space" } }));
        var errors = (await Json.ProblemAsync(bad, 400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("wallets[0]", out _));
        Assert.True(errors.TryGetProperty("roles[0]", out _));
        await Json.ProblemAsync(await api.PostAsync("/admin/api/accounts", Json.Raw("""{"displayName":"x","password":"y"}""")), 400);
        await Json.ProblemAsync(await api.PostAsync("/admin/api/accounts", Json.Raw("""[1,2""")), 400);
        foreach (var path in new[] { "/admin/api/accounts/none", "/admin/api/accounts/none/sessions" })
            await Json.ProblemAsync(await api.GetAsync(path), 404);
        await Json.ProblemAsync(await api.PatchAsync("/admin/api/accounts/none", Json.Body(new { enabled = false })), 404);
        await Json.ProblemAsync(await api.PostAsync("/admin/api/accounts/none/roles", Json.Body(new { role = "x" })), 404);
        await Json.ProblemAsync(await api.PostAsync("/admin/api/accounts/none/wallets", Json.Body(new { address = WalletD })), 404);
        await Json.ProblemAsync(await api.DeleteAsync("/admin/api/sessions/none"), 404);
        await Json.ProblemAsync(await api.GetAsync("/admin/api/accounts?pageSize=201"), 400);
        await Json.ProblemAsync(await api.GetAsync("/admin/api/accounts?page=0"), 400);
    }

    [Fact]
    public async Task A_search_term_with_control_characters_is_a_problem_never_a_500()
    {
        // A NUL byte is refused by PostgreSQL in text; no search term needs a control character.
        var (api, _) = await host.AdminApiAsync();
        foreach (var path in new[]
                 {
                     "/admin/api/accounts?q=a%00b", "/admin/api/accounts?email=a%00b", "/admin/api/accounts?role=%1b",
                     "/admin/api/clients?search=a%00b", "/admin/api/audit?actor=a%00b", "/admin/api/audit?clientId=a%00b",
                 })
        {
            var errors = (await Json.ProblemAsync(await api.GetAsync(path), 400)).GetProperty("errors");
            Assert.Contains("control characters", errors.ToString());
        }
    }

    [Fact]
    public async Task Control_characters_in_a_display_name_or_email_are_refused()
    {
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync();
        foreach (var name in new[] { "Mallory\u001b[2J", "Line\nbreak", "Tab\there", "Null\u0000", "Del\u007f" })
        {
            var created = await api.PostAsync("/admin/api/accounts", Json.Body(new { displayName = name }));
            Assert.True((await Json.ProblemAsync(created, 400)).GetProperty("errors").TryGetProperty("displayName", out _), name);
            var updated = await api.PutAsync($"/admin/api/accounts/{id}", Json.Body(new { displayName = name }));
            Assert.True((await Json.ProblemAsync(updated, 400)).GetProperty("errors").TryGetProperty("displayName", out _), name);
        }
        var email = await api.PutAsync($"/admin/api/accounts/{id}", Json.Body(new { email = "bell\u0007@example.com" }));
        Assert.True((await Json.ProblemAsync(email, 400)).GetProperty("errors").TryGetProperty("email", out _));
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync($"/admin/api/accounts/{id}", Json.Body(new { displayName = "Zoë O'Brien-Łukasz 🙂" }))).StatusCode);
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on an <see cref="IdentityBridge.Admin.Services.AccountAdminService"/> of its own database
    /// context, with <paramref name="meanwhile"/> run to its end after the operation read the account and before it saves.
    /// </summary>
    private Task<IdentityBridge.Admin.Services.AdminResult<T>> InterleavedAsync<T>(Func<Task> meanwhile,
        Func<IdentityBridge.Admin.Services.AccountAdminService, Task<IdentityBridge.Admin.Services.AdminResult<T>>> operation) =>
        WithSeamAsync(new Infrastructure.BeforeFirstSave(meanwhile), operation);

    /// <summary>Runs <paramref name="operation"/> as <see cref="InterleavedAsync{T}"/> does, with <paramref name="seam"/> on its database context.</summary>
    private async Task<IdentityBridge.Admin.Services.AdminResult<T>> WithSeamAsync<T>(Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor seam,
        Func<IdentityBridge.Admin.Services.AccountAdminService, Task<IdentityBridge.Admin.Services.AdminResult<T>>> operation)
    {
        var options = new DbContextOptionsBuilder<IdentityBridge.Storage.BridgeDbContext>();
        IdentityBridge.Storage.StorageServiceCollectionExtensions.Configure(options, host.Services.GetRequiredService<IdentityBridge.Storage.DatabaseConnection>());
        options.AddInterceptors(seam);
        await using var db = new IdentityBridge.Storage.BridgeDbContext(options.Options);
        await using var scope = host.Services.CreateAsyncScope();
        var service = ActivatorUtilities.CreateInstance<IdentityBridge.Admin.Services.AccountAdminService>(scope.ServiceProvider, db);
        return await operation(service);
    }

    [Fact]
    public async Task A_wallet_the_user_links_while_an_administrator_edits_the_account_is_linked_and_the_edit_kept()
    {
        // Linking raises the account's version, so an edit saved between the link's reading of the account and
        // its save makes the save fail on the version: the link is made again on the account as it now is,
        // not answered with a server error.
        const string walletOfItsOwn = "rGWrZyQqhTp9Xu7G5Pkayo7bXjH4k4QYpf";
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync();
        var options = new DbContextOptionsBuilder<IdentityBridge.Storage.BridgeDbContext>();
        IdentityBridge.Storage.StorageServiceCollectionExtensions.Configure(options, host.Services.GetRequiredService<IdentityBridge.Storage.DatabaseConnection>());
        options.AddInterceptors(new Infrastructure.BeforeFirstSave(async () =>
            Assert.Equal(HttpStatusCode.OK, (await api.PutAsync($"/admin/api/accounts/{id}", Json.Body(new { displayName = "Edited meanwhile" }))).StatusCode)));
        await using var db = new IdentityBridge.Storage.BridgeDbContext(options.Options);
        await using var scope = host.Services.CreateAsyncScope();
        var accounts = ActivatorUtilities.CreateInstance<IdentityBridge.Accounts.AccountService>(scope.ServiceProvider, db);

        var result = await accounts.LinkWalletAsync(id, walletOfItsOwn, "MAINNET", actor: id);

        Assert.Equal(IdentityBridge.Accounts.LinkResult.Linked, result);
        Assert.Equal(id, await host.WithDbAsync(db => db.Wallets.Where(w => w.Address == walletOfItsOwn).Select(w => w.AccountId).SingleAsync()));
        Assert.Equal("Edited meanwhile", await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == id).Select(a => a.DisplayName).SingleAsync()));
        Assert.Equal(1, await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Type == IdentityBridge.Audit.AuditTypes.WalletLinked && e.AccountId == id)));
    }

    [Fact]
    public async Task Sign_ins_of_one_wallet_at_the_same_moment_all_succeed_and_leave_the_accounts_tag_alone()
    {
        // One user on several devices, or a shared service wallet: each sign-in records its time and network.
        // That record is not an edit made from a reading, so sign-ins never conflict with each other, and an
        // administrator holding the account's tag is not refused because the user signed in meanwhile.
        const string wallet = "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn";
        var (api, _) = await host.AdminApiAsync();
        await using (var first = host.Services.CreateAsyncScope())
            Assert.Equal(IdentityBridge.Accounts.WalletSignInOutcome.Ok, (await first.ServiceProvider.GetRequiredService<IdentityBridge.Accounts.AccountService>()
                .SignInAsync(new IdentityBridge.Accounts.WalletSignIn(wallet, "MAINNET"), IdentityBridge.Configuration.ProvisioningMode.AutoCreate)).Outcome);
        var id = await host.WithDbAsync(db => db.Wallets.Where(w => w.Address == wallet).Select(w => w.AccountId).SingleAsync());
        var tag = (await api.GetAsync($"/admin/api/accounts/{id}")).Headers.ETag!.Tag;

        using var start = new ManualResetEventSlim();
        var signIns = Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            start.Wait();
            await using var scope = host.Services.CreateAsyncScope();
            return (await scope.ServiceProvider.GetRequiredService<IdentityBridge.Accounts.AccountService>()
                .SignInAsync(new IdentityBridge.Accounts.WalletSignIn(wallet, i % 2 == 0 ? "MAINNET" : "TESTNET"), IdentityBridge.Configuration.ProvisioningMode.AutoCreate)).Outcome;
        })).ToList();
        start.Set();

        Assert.All(await Task.WhenAll(signIns), outcome => Assert.Equal(IdentityBridge.Accounts.WalletSignInOutcome.Ok, outcome));
        var again = await api.GetAsync($"/admin/api/accounts/{id}");
        Assert.Equal(tag, again.Headers.ETag!.Tag);
        using var edit = new HttpRequestMessage(HttpMethod.Put, $"/admin/api/accounts/{id}") { Content = Json.Body(new { displayName = "Edited after the sign-ins" }) };
        edit.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue(tag));
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(edit)).StatusCode);
    }

    [Fact]
    public async Task A_role_granted_by_another_request_meanwhile_answers_as_a_repeated_grant_does()
    {
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync();

        var result = await InterleavedAsync(async () =>
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/admin/api/accounts/{id}/roles", Json.Body(new { role = "auditor" }))).StatusCode),
            service => service.GrantRoleAsync(id, "auditor", "test"));

        Assert.True(result.Ok, result.Error?.ToString());
        Assert.Contains("auditor", result.Value!.Roles);
        Assert.Equal(1, await host.WithDbAsync(db => db.AccountRoles.CountAsync(r => r.AccountId == id && r.Role == "auditor")));
        Assert.Equal(1, await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Type == IdentityBridge.Audit.AuditTypes.RoleGranted && e.AccountId == id)));
    }

    [Fact]
    public async Task A_role_revoked_by_another_request_meanwhile_answers_as_a_repeated_revocation_does()
    {
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync(null, "auditor");

        var result = await InterleavedAsync(async () =>
            Assert.Equal(HttpStatusCode.OK, (await api.DeleteAsync($"/admin/api/accounts/{id}/roles/auditor")).StatusCode),
            service => service.RevokeRoleAsync(id, "auditor", "test"));

        Assert.Equal(IdentityBridge.Admin.Services.AdminErrorKind.NotFound, result.Error?.Kind);
        Assert.Equal(0, await host.WithDbAsync(db => db.AccountRoles.CountAsync(r => r.AccountId == id)));
    }

    [Fact]
    public async Task Wallets_link_and_unlink_with_validation_and_conflicts()
    {
        var (api, _) = await host.AdminApiAsync();
        var one = await host.CreateAccountAsync();
        var two = await host.CreateAccountAsync();

        var linked = await api.PostAsync($"/admin/api/accounts/{one}/wallets", Json.Body(new { address = WalletC }));
        Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
        Assert.Contains(WalletC, await linked.Content.ReadAsStringAsync());

        var invalid = await api.PostAsync($"/admin/api/accounts/{one}/wallets", Json.Body(new { address = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTx" }));
        Assert.True((await Json.ProblemAsync(invalid, 400)).GetProperty("errors").TryGetProperty("address", out _));

        var elsewhere = await api.PostAsync($"/admin/api/accounts/{two}/wallets", Json.Body(new { address = WalletC }));
        await Json.ProblemAsync(elsewhere, 409);

        // Sessions signed in with the wallet end when it is unlinked.
        var browser = await host.BrowserAsync(one, WalletC);
        Assert.NotNull(browser);
        var unlinked = await api.DeleteAsync($"/admin/api/accounts/{one}/wallets/{WalletC}");
        Assert.Equal(HttpStatusCode.OK, unlinked.StatusCode);
        Assert.True(await host.WithDbAsync(db => db.Sessions.Where(s => s.AccountId == one).AllAsync(s => s.EndedAt != null)));
        await Json.ProblemAsync(await api.DeleteAsync($"/admin/api/accounts/{one}/wallets/{WalletC}"), 404);

        var types = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.AccountId == one).Select(e => e.Type).ToListAsync());
        Assert.Contains("wallet.linked", types);
        Assert.Contains("wallet.unlinked", types);
    }

    [Fact]
    public async Task Roles_are_granted_and_revoked()
    {
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync();
        var granted = await Json.ReadAsync(await api.PostAsync($"/admin/api/accounts/{id}/roles", Json.Body(new { role = "auditor" })));
        Assert.Contains("auditor", granted.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var invalid = await api.PostAsync($"/admin/api/accounts/{id}/roles", Json.Body(new { role = "" }));
        Assert.True((await Json.ProblemAsync(invalid, 400)).GetProperty("errors").TryGetProperty("role", out _));
        var revoked = await Json.ReadAsync(await api.DeleteAsync($"/admin/api/accounts/{id}/roles/auditor"));
        Assert.Empty(revoked.GetProperty("roles").EnumerateArray());
        await Json.ProblemAsync(await api.DeleteAsync($"/admin/api/accounts/{id}/roles/auditor"), 404);
        var types = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.AccountId == id).Select(e => e.Type).ToListAsync());
        Assert.Contains("account.role_granted", types);
        Assert.Contains("account.role_revoked", types);
    }

    [Fact]
    public async Task Enrolment_is_shown_searched_withdrawn_and_given_back_with_audit()
    {
        var (api, _) = await host.AdminApiAsync();
        var enrolled = await Json.ReadAsync(await api.PostAsync("/admin/api/accounts", Json.Body(new { displayName = "Enrolled" })));
        var id = enrolled.GetProperty("id").GetString()!;
        Assert.True(enrolled.GetProperty("enrolled").GetBoolean());
        // An account a sign-in created under AutoCreate is not enrolled.
        var created = await host.CreateAccountAsync();
        await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == created).ExecuteUpdateAsync(u => u.SetProperty(a => a.Enrolled, false)));

        var notEnrolled = await Json.ReadAsync(await api.GetAsync("/admin/api/accounts?enrolled=false&pageSize=100"));
        var ids = notEnrolled.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList();
        Assert.Contains(created, ids);
        Assert.DoesNotContain(id, ids);
        await Json.ProblemAsync(await api.GetAsync("/admin/api/accounts?enrolled=maybe"), 400);

        var withdrawn = await Json.ReadAsync(await api.PatchAsync($"/admin/api/accounts/{id}", Json.Body(new { enrolled = false })));
        Assert.False(withdrawn.GetProperty("account").GetProperty("enrolled").GetBoolean());
        Assert.True(withdrawn.GetProperty("account").GetProperty("enabled").GetBoolean());
        var both = await Json.ReadAsync(await api.PatchAsync($"/admin/api/accounts/{created}", Json.Body(new { enrolled = true, enabled = false })));
        Assert.True(both.GetProperty("account").GetProperty("enrolled").GetBoolean());
        Assert.False(both.GetProperty("account").GetProperty("enabled").GetBoolean());
        var empty = await api.PatchAsync($"/admin/api/accounts/{id}", Json.Body(new { }));
        Assert.True((await Json.ProblemAsync(empty, 400)).GetProperty("errors").TryGetProperty("enabled", out _));
        await Json.ProblemAsync(await api.PatchAsync("/admin/api/accounts/no-such-account", Json.Body(new { enrolled = true })), 404);

        var types = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.AccountId == id || e.AccountId == created).Select(e => e.Type).ToListAsync());
        Assert.Contains("account.unenrolled", types);
        Assert.Contains("account.enrolled", types);
        Assert.Contains("account.disabled", types);
    }

    [Fact]
    public async Task Disabling_ends_sessions_and_revokes_refresh_tokens()
    {
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync(WalletA + "", "staff");
        var now = host.Clock.GetUtcNow();
        await host.WithDbAsync(async db =>
        {
            db.Sessions.Add(new Session { Id = "s-" + id, AccountId = id, Wallet = WalletA, Method = "xumm-oidc", AuthTime = now, LastSeenAt = now, ExpiresAt = now.AddHours(1) });
            db.Grants.Add(new Grant { Key = "rt-" + id, Type = "refresh_token", ClientId = "app", AccountId = id, CreatedAt = now, ExpiresAt = now.AddDays(1), Data = "{}" });
            db.Grants.Add(new Grant { Key = "ac-" + id, Type = "authorization_code", ClientId = "app", AccountId = id, CreatedAt = now, ExpiresAt = now.AddMinutes(1), Data = "{}" });
            return await db.SaveChangesAsync();
        });

        var response = await api.PatchAsync($"/admin/api/accounts/{id}", Json.Body(new { enabled = false }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json.ReadAsync(response);
        Assert.False(body.GetProperty("account").GetProperty("enabled").GetBoolean());
        Assert.Equal(1, body.GetProperty("sessionsEnded").GetInt32());
        Assert.Equal(1, body.GetProperty("refreshTokensRevoked").GetInt32());

        Assert.NotNull(await host.WithDbAsync(db => db.Sessions.Where(s => s.Id == "s-" + id).Select(s => s.EndedAt).SingleAsync()));
        Assert.NotNull(await host.WithDbAsync(db => db.Grants.Where(g => g.Key == "rt-" + id).Select(g => g.RevokedAt).SingleAsync()));
        Assert.Null(await host.WithDbAsync(db => db.Grants.Where(g => g.Key == "ac-" + id).Select(g => g.RevokedAt).SingleAsync()));
        Assert.True(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == "account.disabled" && e.AccountId == id)));

        var enabled = await Json.ReadAsync(await api.PatchAsync($"/admin/api/accounts/{id}", Json.Body(new { enabled = true })));
        Assert.True(enabled.GetProperty("account").GetProperty("enabled").GetBoolean());
        Assert.True(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == "account.enabled" && e.AccountId == id)));
    }

    [Fact]
    public async Task Search_by_address_name_email_role_with_paging()
    {
        var (api, _) = await host.AdminApiAsync();
        var created = await Json.ReadAsync(await api.PostAsync("/admin/api/accounts",
            Json.Body(new { displayName = "Zed Searchable", email = "zed@search.example", roles = new[] { "searcher" }, wallets = new[] { WalletD } })));
        var id = created.GetProperty("id").GetString();
        foreach (var query in new[] { "address=" + WalletD, "name=zed", "email=SEARCH.example", "role=searcher", "q=" + WalletD[..10], "q=searchable" })
        {
            var page = await Json.ReadAsync(await api.GetAsync("/admin/api/accounts?" + query));
            Assert.Equal(1, page.GetProperty("total").GetInt32());
            Assert.Equal(id, page.GetProperty("items")[0].GetProperty("id").GetString());
        }
        var none = await Json.ReadAsync(await api.GetAsync("/admin/api/accounts?role=searcher&enabled=false"));
        Assert.Equal(0, none.GetProperty("total").GetInt32());
        var paged = await Json.ReadAsync(await api.GetAsync("/admin/api/accounts?pageSize=1&page=1"));
        Assert.Single(paged.GetProperty("items").EnumerateArray());
        Assert.True(paged.GetProperty("total").GetInt32() >= 2);
    }

    [Fact]
    public async Task Sessions_are_listed_per_account_and_revoked_one_by_one()
    {
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync();
        await host.BrowserAsync(id);
        await host.BrowserAsync(id);
        var list = await Json.ReadAsync(await api.GetAsync($"/admin/api/accounts/{id}/sessions"));
        Assert.Equal(2, list.GetProperty("total").GetInt32());
        var sid = list.GetProperty("items")[0].GetProperty("id").GetString()!;
        var now = host.Clock.GetUtcNow();
        await host.WithDbAsync(async db =>
        {
            db.Grants.Add(new Grant { Key = "rt-s-" + sid, Type = "refresh_token", ClientId = "app", AccountId = id, SessionId = sid, FamilyId = "family-" + sid, CreatedAt = now, ExpiresAt = now.AddDays(1), Data = "{}" });
            return await db.SaveChangesAsync();
        });

        var revoked = await Json.ReadAsync(await api.DeleteAsync($"/admin/api/sessions/{sid}"));
        Assert.False(revoked.GetProperty("active").GetBoolean());
        Assert.NotNull(await host.WithDbAsync(db => db.Grants.Where(g => g.Key == "rt-s-" + sid).Select(g => g.RevokedAt).SingleAsync()));
        Assert.Equal(1, (await Json.ReadAsync(await api.GetAsync($"/admin/api/accounts/{id}/sessions"))).GetProperty("total").GetInt32());
        Assert.Equal(2, (await Json.ReadAsync(await api.GetAsync($"/admin/api/accounts/{id}/sessions?all=true"))).GetProperty("total").GetInt32());
        Assert.True(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == "session.revoked" && e.AccountId == id)));
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
        Assert.True(response.IsSuccessStatusCode, response.StatusCode.ToString());
        var tag = response.Headers.ETag;
        Assert.NotNull(tag);
        Assert.False(tag.IsWeak);
        return tag.Tag;
    }

    [Fact]
    public async Task An_account_has_a_strong_etag_that_its_profile_status_roles_and_wallets_replace()
    {
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync();
        var path = $"/admin/api/accounts/{id}";
        var wallet = IdentityBridge.Xumm.XrplAddress.CreateRandom();
        var seen = new List<string> { StrongTag(await api.GetAsync(path)) };
        Assert.Equal(seen[0], StrongTag(await api.GetAsync(path)));

        foreach (var change in new Func<Task<HttpResponseMessage>>[]
                 {
                     () => api.PutAsync(path, Json.Body(new { displayName = "Renamed" })),
                     () => api.PostAsync($"{path}/roles", Json.Body(new { role = "auditor" })),
                     () => api.DeleteAsync($"{path}/roles/auditor"),
                     () => api.PostAsync($"{path}/wallets", Json.Body(new { address = wallet })),
                     () => api.DeleteAsync($"{path}/wallets/{wallet}"),
                     () => api.PatchAsync(path, Json.Body(new { enrolled = false })),
                     () => api.PatchAsync(path, Json.Body(new { enabled = false })),
                 })
        {
            var tag = StrongTag(await change());
            Assert.DoesNotContain(tag, seen);
            Assert.Equal(tag, StrongTag(await api.GetAsync(path)));
            seen.Add(tag);
        }
    }

    [Fact]
    public async Task An_account_change_with_a_stale_if_match_is_refused_with_412_and_changes_nothing()
    {
        var (api, _) = await host.AdminApiAsync();
        var linked = IdentityBridge.Xumm.XrplAddress.CreateRandom();
        var id = await host.CreateAccountAsync(linked, "auditor");
        var path = $"/admin/api/accounts/{id}";
        var stale = StrongTag(await api.GetAsync(path));
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync(path, Json.Body(new { displayName = "Changed meanwhile" }))).StatusCode);
        var current = await api.GetStringAsync(path);
        var events = await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.AccountId == id));

        foreach (var (method, target, body) in new (HttpMethod, string, HttpContent?)[]
                 {
                     (HttpMethod.Put, path, Json.Body(new { displayName = "Overwritten" })),
                     (HttpMethod.Patch, path, Json.Body(new { enabled = false })),
                     (HttpMethod.Patch, path, Json.Body(new { enrolled = false })),
                     (HttpMethod.Post, $"{path}/roles", Json.Body(new { role = "editor" })),
                     (HttpMethod.Delete, $"{path}/roles/auditor", null),
                     (HttpMethod.Post, $"{path}/wallets", Json.Body(new { address = IdentityBridge.Xumm.XrplAddress.CreateRandom() })),
                     (HttpMethod.Delete, $"{path}/wallets/{linked}", null),
                     (HttpMethod.Delete, path, null),
                 })
        {
            var problem = await Json.ProblemAsync(await SendAsync(api, method, target, stale, body), 412);
            Assert.Contains("rfc9110#section-15.5.13", problem.GetProperty("type").GetString());
        }

        Assert.Equal(current, await api.GetStringAsync(path));
        Assert.Equal(events, await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.AccountId == id)));
    }

    [Fact]
    public async Task An_account_change_with_the_current_etag_or_a_star_or_no_if_match_goes_through()
    {
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync();
        var path = $"/admin/api/accounts/{id}";
        var wallet = IdentityBridge.Xumm.XrplAddress.CreateRandom();
        var tag = StrongTag(await api.GetAsync(path));

        tag = StrongTag(await SendAsync(api, HttpMethod.Put, path, tag, Json.Body(new { displayName = "Matched" })));
        tag = StrongTag(await SendAsync(api, HttpMethod.Post, $"{path}/roles", tag, Json.Body(new { role = "auditor" })));
        tag = StrongTag(await SendAsync(api, HttpMethod.Patch, path, tag, Json.Body(new { enrolled = false, enabled = false })));
        tag = StrongTag(await SendAsync(api, HttpMethod.Post, $"{path}/wallets", "*", Json.Body(new { address = wallet })));
        StrongTag(await SendAsync(api, HttpMethod.Delete, $"{path}/wallets/{wallet}", null));
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(api, HttpMethod.Delete, $"{path}/roles/auditor", "W/")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(api, HttpMethod.Delete, path, StrongTag(await api.GetAsync(path)))).StatusCode);
        await Json.ProblemAsync(await SendAsync(api, HttpMethod.Put, path, "*", Json.Body(new { displayName = "Gone" })), 404);
    }

    [Fact]
    public async Task A_profile_update_made_from_a_reading_older_than_a_role_grant_is_refused_with_409()
    {
        // Without If-Match, as for clients: the account's version is its concurrency token.
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync();

        var late = await InterleavedAsync(async () =>
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/admin/api/accounts/{id}/roles", Json.Body(new { role = "auditor" }))).StatusCode),
            service => service.UpdateProfileAsync(id, new IdentityBridge.Admin.Contracts.AccountProfileInput { DisplayName = "Late" }, "test"));

        Assert.Equal(IdentityBridge.Admin.Services.AdminErrorKind.Conflict, late.Error?.Kind);
        Assert.NotEqual("Late", await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == id).Select(a => a.DisplayName).SingleAsync()));
        Assert.Equal(0, await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.AccountId == id && e.Type == IdentityBridge.Audit.AuditTypes.AccountUpdated)));
    }

    [Fact]
    public async Task Enabling_and_enrolling_in_one_patch_is_one_change_of_the_account()
    {
        // Both fields of one PATCH are one change made from one reading: one version step, one new ETag.
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync();
        var path = $"/admin/api/accounts/{id}";
        var before = StrongTag(await api.GetAsync(path));
        var version = await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == id).Select(a => a.Version).SingleAsync());

        var patched = await SendAsync(api, HttpMethod.Patch, path, before, Json.Body(new { enabled = false, enrolled = false }));

        var after = StrongTag(patched);
        var account = (await Json.ReadAsync(patched)).GetProperty("account");
        Assert.False(account.GetProperty("enabled").GetBoolean());
        Assert.False(account.GetProperty("enrolled").GetBoolean());
        Assert.Equal(version + 1, await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == id).Select(a => a.Version).SingleAsync()));
        Assert.Equal(after, StrongTag(await api.GetAsync(path)));
        await Json.ProblemAsync(await SendAsync(api, HttpMethod.Put, path, before, Json.Body(new { displayName = "From the old reading" })), 412);
        // Each change is audited as before.
        Assert.Equal(1, await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.AccountId == id && e.Type == IdentityBridge.Audit.AuditTypes.AccountDisabled)));
        Assert.Equal(1, await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.AccountId == id && e.Type == IdentityBridge.Audit.AuditTypes.AccountUnenrolled)));
    }

    [Fact]
    public async Task A_change_saved_while_a_patch_of_enabled_and_enrolled_is_applied_never_leaves_half_of_it()
    {
        // Another administrator edits the account once any part of the PATCH is committed and before the PATCH ends:
        // the PATCH is then applied whole (nothing of it was committed before its end) or refused whole.
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync();
        var edited = false;

        var result = await WithSeamAsync(new Infrastructure.AfterCommittedSave(async () =>
        {
            Assert.Equal(HttpStatusCode.OK, (await api.PutAsync($"/admin/api/accounts/{id}", Json.Body(new { displayName = "Edited meanwhile" }))).StatusCode);
            edited = true;
        }), service => service.SetStatusAsync(id, enabled: false, enrolled: false, "test"));

        var stored = await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == id).Select(a => new { a.Status, a.Enrolled, a.DisplayName }).SingleAsync());
        var whole = result.Ok
            ? stored.Status == AccountStatus.Disabled && !stored.Enrolled
            : stored.Status == AccountStatus.Active && stored.Enrolled;
        Assert.True(whole, $"{(result.Ok ? "applied" : result.Error!.Title)}, and the account is {stored.Status}, enrolled {stored.Enrolled}");
        if (edited) Assert.Equal("Edited meanwhile", stored.DisplayName);
    }

    [Fact]
    public async Task A_get_whose_if_none_match_names_the_current_etag_is_304_with_the_tag_and_no_body()
    {
        var (api, _) = await host.AdminApiAsync();
        var id = await host.CreateAccountAsync();
        var path = $"/admin/api/accounts/{id}";
        var tag = StrongTag(await api.GetAsync(path));

        // The current tag, its weak form (If-None-Match compares weakly, RFC 9110 section 13.1.2), among others, or "*".
        foreach (var field in new[] { tag, "W/" + tag, $"\"other\", {tag}", "*" })
        {
            var cached = await ConditionalGetAsync(api, path, field);
            Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
            Assert.Equal(tag, cached.Headers.ETag?.Tag);
            Assert.Empty(await cached.Content.ReadAsByteArrayAsync());
        }

        // Changed since: the account as it now is, with its new tag.
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync(path, Json.Body(new { displayName = "Renamed" }))).StatusCode);
        var changed = await ConditionalGetAsync(api, path, tag);
        Assert.NotEqual(tag, StrongTag(changed));
        Assert.Equal("Renamed", (await Json.ReadAsync(changed)).GetProperty("displayName").GetString());

        // A field that is no entity tag is a malformed request, as for If-Match; an account that does not exist is not found.
        var malformed = await ConditionalGetAsync(api, path, "W/");
        Assert.True((await Json.ProblemAsync(malformed, 400)).GetProperty("errors").TryGetProperty("If-None-Match", out _));
        await Json.ProblemAsync(await ConditionalGetAsync(api, "/admin/api/accounts/no-such-account", "*"), 404);
    }

    /// <summary>A GET with <paramref name="ifNoneMatch"/> as the If-None-Match field.</summary>
    private static Task<HttpResponseMessage> ConditionalGetAsync(HttpClient api, string path, string ifNoneMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        Assert.True(request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch));
        return api.SendAsync(request);
    }
}
