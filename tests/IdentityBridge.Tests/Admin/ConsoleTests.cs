using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using IdentityBridge.Accounts;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Admin;

public sealed class ConsoleTests(ConsoleTests.Host host) : IClassFixture<ConsoleTests.Host>
{
    public sealed class Host : AdminHost;

    private static readonly string[] Pages = ["/admin", "/admin/clients", "/admin/clients/new", "/admin/accounts", "/admin/accounts/new", "/admin/keys", "/admin/audit"];

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_the_login_with_a_return_url()
    {
        var browser = host.CreateBrowser();
        var response = await browser.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal("/login", location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0]);
        Assert.Equal("/admin", Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.IsAbsoluteUri ? location.Query : "?" + location.OriginalString.Split('?')[1])["returnUrl"]);
    }

    [Theory]
    [InlineData("/admin")]
    [InlineData("/admin/v1.json")]
    public async Task The_login_redirect_stays_on_this_host_whatever_host_the_request_names(string path)
    {
        // The Host header is the client's to choose: an absolute redirect built from it would send the browser to any site.
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = "evil.example";
        var response = await host.CreateBrowser().SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/login?returnUrl=", location);
        Assert.DoesNotContain("evil.example", location);
    }

    [Fact]
    public async Task A_signed_in_non_admin_gets_403_everywhere_under_admin()
    {
        var keysBefore = await host.WithDbAsync(db => db.SigningKeys.CountAsync());
        var user = await host.CreateAccountAsync(null, "staff");
        var browser = await host.BrowserAsync(user);
        foreach (var page in Pages.Append("/admin/accounts/" + user))
        {
            var response = await browser.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{page}: {response.StatusCode}");
        }
        var post = await browser.PostAsync("/admin/keys?handler=Rotate", new FormUrlEncodedContent([]));
        Assert.True(post.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/admin/api/validate/redirect-uri?uri=https://a.example/cb")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/admin/openapi.json")).StatusCode);
        Assert.Equal(keysBefore, await host.WithDbAsync(db => db.SigningKeys.CountAsync()));
    }

    [Fact]
    public async Task An_admin_sees_every_page_without_inline_script_or_style()
    {
        var admin = await host.CreateAdminAsync();
        var browser = await host.BrowserAsync(admin);
        foreach (var page in Pages.Append("/admin/accounts/" + admin))
        {
            var response = await browser.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page}: {response.StatusCode}");
            // The console's forms post to the console: the policy keeps them there.
            Assert.Contains("form-action 'self';", string.Join(' ', response.Headers.GetValues("Content-Security-Policy")));
            var document = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
            Assert.All(document.Scripts, s => Assert.False(string.IsNullOrEmpty(s.Source), $"inline script on {page}"));
            Assert.Empty(document.QuerySelectorAll("style"));
            Assert.Empty(document.QuerySelectorAll("[style]"));
            Assert.Empty(document.QuerySelectorAll("[onclick],[onsubmit],[onchange]"));
            // Every input a person fills has a label.
            foreach (var input in document.QuerySelectorAll("input:not([type=hidden]), select, textarea"))
            {
                var id = input.GetAttribute("id");
                Assert.False(string.IsNullOrEmpty(id), $"unlabelled {input.OuterHtml} on {page}");
                Assert.NotNull(document.QuerySelector($"label[for='{id}']"));
            }
            foreach (var form in document.QuerySelectorAll("form[method=post]"))
                Assert.NotNull(form.QuerySelector("input[name=__RequestVerificationToken]"));
            Assert.NotNull(document.QuerySelector("nav a[aria-current=page]"));
            Assert.NotNull(document.QuerySelector("h1"));
        }
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/admin/api/validate/redirect-uri?uri=https://a.example/cb")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/admin/openapi.json")).StatusCode);
        // The session cookie opens the console only: the REST API itself wants a bearer token.
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/admin/api/clients")).StatusCode);
    }

    [Fact]
    public async Task Access_ends_at_once_when_the_role_is_revoked_or_the_session_ended()
    {
        var admin = await host.CreateAdminAsync();
        var browser = await host.BrowserAsync(admin);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/admin")).StatusCode);
        await host.WithDbAsync(db => db.AccountRoles.Where(r => r.AccountId == admin).ExecuteDeleteAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/admin")).StatusCode);

        var other = await host.CreateAdminAsync();
        var second = await host.BrowserAsync(other);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/admin")).StatusCode);
        await host.WithDbAsync(db => db.Sessions.Where(s => s.AccountId == other).ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, host.Clock.GetUtcNow())));
        var ended = await second.GetAsync("/admin/clients");
        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        Assert.Contains("/login", ended.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Forms_need_the_antiforgery_token()
    {
        var keysBefore = await host.WithDbAsync(db => db.SigningKeys.CountAsync());
        var admin = await host.CreateAdminAsync();
        var browser = await host.BrowserAsync(admin);
        var response = await browser.PostAsync("/admin/keys?handler=Rotate", new FormUrlEncodedContent([new("Algorithm", "RS256")]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(keysBefore, await host.WithDbAsync(db => db.SigningKeys.CountAsync()));
    }

    [Fact]
    public async Task A_key_is_revoked_from_the_keys_page_after_confirmation_with_the_antiforgery_token()
    {
        var kid = (await host.Services.GetRequiredService<IdentityBridge.Provider.Keys.SigningKeyStore>().RotateNowAsync("ES256", immediate: true)).Kid;
        var admin = await host.CreateAdminAsync();
        var browser = await host.BrowserAsync(admin);

        var page = new HtmlParser().ParseDocument(await browser.GetStringAsync("/admin/keys"));
        var form = page.QuerySelectorAll<IHtmlFormElement>("form[action*=Revoke]")
            .Single(f => f.QuerySelector<IHtmlInputElement>("input[name=kid]")?.Value == kid);
        Assert.Contains(kid, form.GetAttribute("data-confirm"));
        var token = form.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        var forged = await browser.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent([new("kid", kid)]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.True(await host.WithDbAsync(db => db.SigningKeys.Where(k => k.Id == kid).Select(k => k.ExpiresAt).SingleAsync()) > host.Clock.GetUtcNow());

        var posted = await browser.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent([new("kid", kid), new("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.True(await host.WithDbAsync(db => db.SigningKeys.Where(k => k.Id == kid).Select(k => k.ExpiresAt).SingleAsync()) <= host.Clock.GetUtcNow());
        Assert.True(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == "key.revoked" && e.Actor == admin)));
        var after = new HtmlParser().ParseDocument(await browser.GetStringAsync("/admin/keys"));
        Assert.Contains(after.QuerySelectorAll("tr"), row => row.TextContent.Contains(kid) && row.TextContent.Contains("revoked"));
    }

    [Fact]
    public async Task Register_a_client_rotate_its_secret_and_see_it_in_the_audit_log()
    {
        var admin = await host.CreateAdminAsync();
        var browser = await host.BrowserAsync(admin);

        var (action, fields) = await FormAsync(browser, "/admin/clients/new", "form[method=post]");
        fields["Form.ClientId"] = "console-app";
        fields["Form.ClientName"] = "Console app";
        fields["Form.RedirectUris"] = "https://console.example.com/cb\njavascript:alert(1)";
        var refused = await PostAsync(browser, action, fields, ("Form.AllowedScopes", "openid"), ("Form.AllowedGrantTypes", "authorization_code"));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var refusedHtml = await refused.Content.ReadAsStringAsync();
        Assert.Contains("line 2", refusedHtml);
        Assert.Contains("javascript", refusedHtml);
        Assert.False(await host.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "console-app")));

        fields["Form.RedirectUris"] = "https://console.example.com/cb";
        var created = await PostAsync(browser, action, fields, ("Form.AllowedScopes", "openid"), ("Form.AllowedGrantTypes", "authorization_code"));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("no-store", created.Headers.CacheControl?.ToString());
        var secret = new HtmlParser().ParseDocument(await created.Content.ReadAsStringAsync()).QuerySelector<IHtmlInputElement>("#client-secret")!.Value;
        var hash = await host.WithDbAsync(db => db.ClientSecrets.Where(s => s.ClientId == "console-app").Select(s => s.Hash).SingleAsync());
        Assert.True(Clients.ClientSecretHasher.Verify(secret, hash));
        var detail = await browser.GetStringAsync("/admin/clients/console-app");
        Assert.DoesNotContain(secret, detail);

        var (rotateAction, rotateFields) = await FormAsync(browser, "/admin/clients/console-app", "form[action*=Rotate]");
        rotateFields["OverlapHours"] = "2";
        var rotated = await PostAsync(browser, rotateAction, rotateFields);
        var newSecret = new HtmlParser().ParseDocument(await rotated.Content.ReadAsStringAsync()).QuerySelector<IHtmlInputElement>("#client-secret")!.Value;
        Assert.NotEqual(secret, newSecret);
        Assert.Equal(2, await host.WithDbAsync(db => db.ClientSecrets.CountAsync(s => s.ClientId == "console-app")));

        var (disableAction, disableFields) = await FormAsync(browser, "/admin/clients/console-app", "form[action*=Disable]");
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(browser, disableAction, disableFields)).StatusCode);
        Assert.False(await host.WithDbAsync(db => db.Clients.Where(c => c.ClientId == "console-app").Select(c => c.Enabled).SingleAsync()));

        var audit = await browser.GetStringAsync("/admin/audit?clientId=console-app");
        Assert.Contains("client.created", audit);
        Assert.Contains("client.secret_rotated", audit);
        Assert.Contains("client.updated", audit);
        Assert.DoesNotContain(newSecret, audit);
        Assert.DoesNotContain("sha256:", audit);
    }

    [Fact]
    public async Task A_client_is_registered_with_its_front_channel_logout_uri_and_shows_it()
    {
        var admin = await host.CreateAdminAsync();
        var browser = await host.BrowserAsync(admin);

        var (action, fields) = await FormAsync(browser, "/admin/clients/new", "form[method=post]");
        Assert.Equal("false", fields["Form.FrontChannelLogoutSessionRequired"]);
        fields["Form.ClientId"] = "console-fc";
        fields["Form.RedirectUris"] = "https://fc.example.com/cb";
        fields["Form.FrontChannelLogoutUri"] = "http://fc.example.com/logout";
        var refused = await PostAsync(browser, action, fields, ("Form.AllowedScopes", "openid"), ("Form.AllowedGrantTypes", "authorization_code"));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var error = new HtmlParser().ParseDocument(await refused.Content.ReadAsStringAsync()).QuerySelector("[data-valmsg-for='Form.FrontChannelLogoutUri']");
        Assert.Contains("must use https", error?.TextContent);
        Assert.False(await host.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "console-fc")));

        fields["Form.FrontChannelLogoutUri"] = "https://fc.example.com/logout";
        fields["Form.FrontChannelLogoutSessionRequired"] = "true";
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(browser, action, fields, ("Form.AllowedScopes", "openid"), ("Form.AllowedGrantTypes", "authorization_code"))).StatusCode);
        var stored = await host.WithDbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "console-fc"));
        Assert.Equal("https://fc.example.com/logout", stored.FrontChannelLogoutUri);
        Assert.True(stored.FrontChannelLogoutSessionRequired);

        Assert.Contains("https://fc.example.com/logout", await browser.GetStringAsync("/admin/clients/console-fc"));
        var (_, edit) = await FormAsync(browser, "/admin/clients/console-fc/edit", "form[method=post]");
        Assert.Equal("https://fc.example.com/logout", edit["Form.FrontChannelLogoutUri"]);
        Assert.Equal("true", edit["Form.FrontChannelLogoutSessionRequired"]);
    }

    [Fact]
    public async Task A_client_is_registered_with_its_request_requirements_and_shows_them()
    {
        var admin = await host.CreateAdminAsync();
        var browser = await host.BrowserAsync(admin);

        var (action, fields) = await FormAsync(browser, "/admin/clients/new", "form[method=post]");
        Assert.Equal("false", fields["Form.RequirePushedAuthorizationRequests"]);
        Assert.Equal("false", fields["Form.RequireSignedRequestObject"]);
        fields["Form.ClientId"] = "console-jar";
        fields["Form.RedirectUris"] = "https://jar.example.com/cb";
        fields["Form.RequirePushedAuthorizationRequests"] = "true";
        fields["Form.RequireSignedRequestObject"] = "true";
        var refused = await PostAsync(browser, action, fields, ("Form.AllowedScopes", "openid"), ("Form.AllowedGrantTypes", "authorization_code"));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var error = new HtmlParser().ParseDocument(await refused.Content.ReadAsStringAsync()).QuerySelector("[data-valmsg-for='Form.RequireSignedRequestObject']");
        Assert.Contains("JWK Set", error?.TextContent);
        Assert.False(await host.WithDbAsync(db => db.Clients.AnyAsync(c => c.ClientId == "console-jar")));

        fields["Form.Jwks"] = IdentityBridge.Tests.Provider.TestClients.JwtClientJwks();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(browser, action, fields, ("Form.AllowedScopes", "openid"), ("Form.AllowedGrantTypes", "authorization_code"))).StatusCode);
        var stored = await host.WithDbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "console-jar"));
        Assert.True(stored.RequirePushedAuthorizationRequests);
        Assert.True(stored.RequireSignedRequestObject);

        var detail = await browser.GetStringAsync("/admin/clients/console-jar");
        Assert.Contains("pushed (PAR) only", detail);
        Assert.Contains("signed request objects only", detail);
        var (_, edit) = await FormAsync(browser, "/admin/clients/console-jar/edit", "form[method=post]");
        Assert.Equal("true", edit["Form.RequirePushedAuthorizationRequests"]);
        Assert.Equal("true", edit["Form.RequireSignedRequestObject"]);
    }

    [Fact]
    public async Task Link_a_wallet_grant_a_role_revoke_a_session_and_disable_an_account()
    {
        var admin = await host.CreateAdminAsync();
        var browser = await host.BrowserAsync(admin);
        var user = await host.CreateAccountAsync();
        await host.BrowserAsync(user);
        var page = "/admin/accounts/" + user;

        var (linkAction, linkFields) = await FormAsync(browser, page, "form[action*=LinkWallet]");
        linkFields["Link.Address"] = "rNotAnAddress";
        var refused = await PostAsync(browser, linkAction, linkFields);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("r-address", await refused.Content.ReadAsStringAsync());

        linkFields["Link.Address"] = AccountsApiTests.WalletC;
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(browser, linkAction, linkFields)).StatusCode);
        Assert.Contains(AccountsApiTests.WalletC, await browser.GetStringAsync(page));

        var (grantAction, grantFields) = await FormAsync(browser, page, "form[action*=GrantRole]");
        grantFields["Grant.Role"] = "auditor";
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(browser, grantAction, grantFields)).StatusCode);

        var (revokeAction, revokeFields) = await FormAsync(browser, page, "form[action*=RevokeSession]");
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(browser, revokeAction, revokeFields)).StatusCode);
        Assert.True(await host.WithDbAsync(db => db.Sessions.Where(s => s.AccountId == user).AllAsync(s => s.EndedAt != null)));

        var (unenrolAction, unenrolFields) = await FormAsync(browser, page, "form[action*=Unenrol]");
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(browser, unenrolAction, unenrolFields)).StatusCode);
        Assert.False(await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == user).Select(a => a.Enrolled).SingleAsync()));
        Assert.Contains("not enrolled", await browser.GetStringAsync(page));
        Assert.Contains(user, await browser.GetStringAsync("/admin/accounts?status=not-enrolled"));
        var (enrolAction, enrolFields) = await FormAsync(browser, page, "form[action$=Enrol]");
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(browser, enrolAction, enrolFields)).StatusCode);
        Assert.True(await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == user).Select(a => a.Enrolled).SingleAsync()));

        var (disableAction, disableFields) = await FormAsync(browser, page, "form[action*=Disable]");
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(browser, disableAction, disableFields)).StatusCode);
        Assert.False(await host.Services.CreateScope().ServiceProvider.GetRequiredService<AccountService>().IsActiveAsync(user));

        var audit = await browser.GetStringAsync("/admin/audit?accountId=" + user);
        foreach (var type in new[] { "wallet.linked", "account.role_granted", "session.revoked", "account.unenrolled", "account.enrolled", "account.disabled" })
            Assert.Contains(type, audit);
        var search = await browser.GetStringAsync("/admin/accounts?q=" + AccountsApiTests.WalletC);
        Assert.Contains(user, search);
    }

    [Fact]
    public async Task A_session_is_revoked_only_from_the_page_of_the_account_it_belongs_to()
    {
        // The revoke form names the session; the page it is posted to names the account. Posted to another account's
        // page, it once ended the session anyway and redirected to that other account.
        var user = await host.CreateAccountAsync();
        await host.BrowserAsync(user);
        var other = await host.CreateAccountAsync();
        var browser = await host.BrowserAsync(await host.CreateAdminAsync());
        var (action, fields) = await FormAsync(browser, "/admin/accounts/" + user, "form[action*=RevokeSession]");

        var elsewhere = await PostAsync(browser, action.Replace(user, other, StringComparison.Ordinal), fields);
        Assert.NotEqual(HttpStatusCode.Redirect, elsewhere.StatusCode);
        Assert.True(await host.WithDbAsync(db => db.Sessions.Where(s => s.AccountId == user).AllAsync(s => s.EndedAt == null)));
        var missing = await PostAsync(browser, action.Replace(user, "no-such-account", StringComparison.Ordinal), fields);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.True(await host.WithDbAsync(db => db.Sessions.Where(s => s.AccountId == user).AllAsync(s => s.EndedAt == null)));

        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(browser, action, fields)).StatusCode);
        Assert.True(await host.WithDbAsync(db => db.Sessions.Where(s => s.AccountId == user).AllAsync(s => s.EndedAt != null)));
    }

    [Fact]
    public async Task Dashboard_counts_sign_ins_per_day()
    {
        var admin = await host.CreateAdminAsync();
        var browser = await host.BrowserAsync(admin);
        var now = host.Clock.GetUtcNow();
        await host.WithDbAsync(async db =>
        {
            for (var i = 0; i < 3; i++)
                db.AuditEvents.Add(new Storage.Entities.AuditEvent { Type = "signin.succeeded", Actor = "system", Time = now.AddDays(-i) });
            db.AuditEvents.Add(new Storage.Entities.AuditEvent { Type = "signin.succeeded", Actor = "system", Time = now.AddDays(-30) });
            return await db.SaveChangesAsync();
        });
        var html = new HtmlParser().ParseDocument(await browser.GetStringAsync("/admin"));
        Assert.Equal("3", html.QuerySelector("#stat-signins")!.TextContent.Trim());
        Assert.Equal(14, html.QuerySelectorAll("svg rect.bar").Length);
    }

    [Fact]
    public async Task Editing_a_client_onto_a_secret_method_shows_its_new_secret_once()
    {
        // Saved with no secret, the client could not authenticate, and rotation refused it as a client without one.
        var (api, _) = await host.AdminApiAsync();
        var created = await api.PostAsync("/admin/api/clients", Json.Raw(
            """{"clientId":"console-switch","allowedGrantTypes":["client_credentials"],"allowedScopes":["profile"],"tokenEndpointAuthMethod":"private_key_jwt","jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1","use":"sig","alg":"ES256"}]}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var browser = await host.BrowserAsync(await host.CreateAdminAsync());

        var (action, fields) = await FormAsync(browser, "/admin/clients/console-switch/edit", "form[method=post]");
        fields["Form.TokenEndpointAuthMethod"] = "client_secret_basic";
        var saved = await PostAsync(browser, action, fields, ("Form.AllowedScopes", "profile"), ("Form.AllowedGrantTypes", "client_credentials"));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("no-store", saved.Headers.CacheControl?.ToString());
        var secret = new HtmlParser().ParseDocument(await saved.Content.ReadAsStringAsync()).QuerySelector<IHtmlInputElement>("#client-secret")!.Value;
        var hash = await host.WithDbAsync(db => db.ClientSecrets.Where(s => s.ClientId == "console-switch").Select(s => s.Hash).SingleAsync());
        Assert.True(Clients.ClientSecretHasher.Verify(secret, hash));
        Assert.DoesNotContain(secret, await browser.GetStringAsync("/admin/clients/console-switch"));

        (action, fields) = await FormAsync(browser, "/admin/clients/console-switch/edit", "form[method=post]");
        fields["Form.ClientName"] = "Renamed";
        var again = await PostAsync(browser, action, fields, ("Form.AllowedScopes", "profile"), ("Form.AllowedGrantTypes", "client_credentials"));
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal(1, await host.WithDbAsync(db => db.ClientSecrets.CountAsync(s => s.ClientId == "console-switch")));
    }

    [Fact]
    public async Task A_client_edit_form_older_than_the_client_shows_a_conflict_instead_of_overwriting()
    {
        // FormAsync keeps one value of each name: the checkbox lists are posted as the client has them.
        (string, string)[] lists = [("Form.AllowedScopes", "openid"), ("Form.AllowedGrantTypes", "authorization_code")];
        var (api, _) = await host.AdminApiAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = "console-stale", clientName = "Original", redirectUris = new[] { "https://app.example.com/callback" },
        }))).StatusCode);
        var browser = await host.BrowserAsync(await host.CreateAdminAsync());
        var (action, fields) = await FormAsync(browser, "/admin/clients/console-stale/edit", "form[method=post]");

        // Another administrator saves the client while this form is open.
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync("/admin/api/clients/console-stale", Json.Body(new
        {
            clientName = "Changed meanwhile", redirectUris = new[] { "https://app.example.com/callback", "https://app.example.com/second" },
        }))).StatusCode);
        fields["Form.ClientName"] = "From the stale form";
        var stale = await PostAsync(browser, action, fields, lists);

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("since this form was loaded", await stale.Content.ReadAsStringAsync());
        var stored = await host.WithDbAsync(db => db.Clients.SingleAsync(c => c.ClientId == "console-stale"));
        Assert.Equal("Changed meanwhile", stored.ClientName);
        Assert.Contains("https://app.example.com/second", stored.RedirectUris);

        // Loaded again, the form saves.
        (action, fields) = await FormAsync(browser, "/admin/clients/console-stale/edit", "form[method=post]");
        fields["Form.ClientName"] = "From a fresh form";
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(browser, action, fields, lists)).StatusCode);
        Assert.Equal("From a fresh form", await host.WithDbAsync(db => db.Clients.Where(c => c.ClientId == "console-stale").Select(c => c.ClientName).SingleAsync()));
    }

    [Theory]
    [InlineData("Rotate")]
    [InlineData("Disable")]
    [InlineData("Enable")]
    [InlineData("Delete")]
    public async Task A_client_form_older_than_the_client_shows_a_conflict_instead_of_applying(string handler)
    {
        var (api, _) = await host.AdminApiAsync();
        var clientId = "console-stale-" + handler.ToLowerInvariant();
        var enabled = handler != "Enable";
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId, clientName = "Original", enabled, redirectUris = new[] { "https://app.example.com/callback" },
        }))).StatusCode);
        var browser = await host.BrowserAsync(await host.CreateAdminAsync());
        var page = "/admin/clients/" + clientId;
        var selector = $"form[action$='handler={handler}']";
        var (action, fields) = await FormAsync(browser, page, selector);

        // Another administrator saves the client while this page is open.
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync($"/admin/api/clients/{clientId}", Json.Body(new
        {
            clientName = "Changed meanwhile", enabled, redirectUris = new[] { "https://app.example.com/callback" },
        }))).StatusCode);
        var changedMeanwhile = await ClientStateAsync(clientId);
        var stale = await PostAsync(browser, action, fields);

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        var staleHtml = await stale.Content.ReadAsStringAsync();
        Assert.Contains("since this form was loaded", staleHtml);
        var shown = new HtmlParser().ParseDocument(staleHtml);
        Assert.Null(shown.QuerySelector("#client-secret"));
        Assert.Equal(changedMeanwhile, await ClientStateAsync(clientId));
        // The page shown with the conflict is the client as it now is, its forms carrying the tag of that version.
        var shownVersion = shown.QuerySelector<IHtmlInputElement>($"{selector} input[name=Version]")!.Value;
        Assert.NotEqual(fields["Version"], shownVersion);

        // Loaded again, the form applies.
        (action, fields) = await FormAsync(browser, page, selector);
        Assert.Equal(shownVersion, fields["Version"]);
        var fresh = await PostAsync(browser, action, fields);
        Assert.Equal(handler == "Rotate" ? HttpStatusCode.OK : HttpStatusCode.Redirect, fresh.StatusCode);
        Assert.NotEqual(changedMeanwhile, await ClientStateAsync(clientId));
    }

    /// <summary>What the client page's forms change: whether it is enabled and its secrets (or that the client is gone).</summary>
    private Task<string> ClientStateAsync(string clientId) => host.WithDbAsync(async db =>
        await db.Clients.Where(c => c.ClientId == clientId).Include(c => c.Secrets).SingleOrDefaultAsync() is { } c
            ? $"enabled={c.Enabled} secrets={string.Join(",", c.Secrets.OrderBy(s => s.Id).Select(s => $"{s.Id}:{s.ExpiresAt:O}"))}"
            : "gone");

    [Fact]
    public async Task An_account_profile_form_older_than_the_account_shows_a_conflict_instead_of_overwriting()
    {
        var (api, _) = await host.AdminApiAsync();
        var user = await host.CreateAccountAsync();
        var browser = await host.BrowserAsync(await host.CreateAdminAsync());
        var page = "/admin/accounts/" + user;
        var (action, fields) = await FormAsync(browser, page, "form[action*=Profile]");

        // Another administrator saves the profile while this form is open.
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync($"/admin/api/accounts/{user}", Json.Body(new { displayName = "Changed meanwhile" }))).StatusCode);
        fields["Profile.DisplayName"] = "From the stale form";
        var stale = await PostAsync(browser, action, fields);

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("since this form was loaded", await stale.Content.ReadAsStringAsync());
        Assert.Equal("Changed meanwhile", await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == user).Select(a => a.DisplayName).SingleAsync()));

        (action, fields) = await FormAsync(browser, page, "form[action*=Profile]");
        fields["Profile.DisplayName"] = "From a fresh form";
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(browser, action, fields)).StatusCode);
        Assert.Equal("From a fresh form", await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == user).Select(a => a.DisplayName).SingleAsync()));
    }

    [Theory]
    [InlineData("GrantRole")]
    [InlineData("RevokeRole")]
    [InlineData("LinkWallet")]
    [InlineData("UnlinkWallet")]
    [InlineData("Disable")]
    [InlineData("Enable")]
    [InlineData("Unenrol")]
    [InlineData("Enrol")]
    [InlineData("Delete")]
    public async Task An_account_form_older_than_the_account_shows_a_conflict_instead_of_applying(string handler)
    {
        var (api, _) = await host.AdminApiAsync();
        var user = await host.CreateAccountAsync(IdentityBridge.Xumm.XrplAddress.CreateRandom(), "auditor");
        if (handler is "Enable" or "Enrol")
            await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == user)
                .ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, Storage.Entities.AccountStatus.Disabled).SetProperty(a => a.Enrolled, false)));
        var browser = await host.BrowserAsync(await host.CreateAdminAsync());
        var page = "/admin/accounts/" + user;
        var selector = $"form[action$='handler={handler}']";
        var (action, fields) = await FormAsync(browser, page, selector);
        if (handler == "GrantRole") fields["Grant.Role"] = "editor";
        if (handler == "LinkWallet") fields["Link.Address"] = IdentityBridge.Xumm.XrplAddress.CreateRandom();

        // Another administrator changes the account while this page is open.
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync($"/admin/api/accounts/{user}", Json.Body(new { displayName = "Changed meanwhile" }))).StatusCode);
        var changedMeanwhile = await StateAsync(user);
        var stale = await PostAsync(browser, action, fields);

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("since this form was loaded", await stale.Content.ReadAsStringAsync());
        Assert.Equal(changedMeanwhile, await StateAsync(user));

        // Loaded again, the form applies.
        (action, fields) = await FormAsync(browser, page, selector);
        if (handler == "GrantRole") fields["Grant.Role"] = "editor";
        if (handler == "LinkWallet") fields["Link.Address"] = IdentityBridge.Xumm.XrplAddress.CreateRandom();
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(browser, action, fields)).StatusCode);
        Assert.NotEqual(changedMeanwhile, await StateAsync(user));
    }

    /// <summary>What the account forms change: status, enrolment, roles and wallets (or that the account is gone).</summary>
    private Task<string> StateAsync(string accountId) => host.WithDbAsync(async db =>
        await db.Accounts.Where(a => a.Id == accountId).Include(a => a.Roles).Include(a => a.Wallets).AsSplitQuery().SingleOrDefaultAsync() is { } a
            ? $"{a.Status} enrolled={a.Enrolled} roles={string.Join(",", a.Roles.Select(r => r.Role).Order())} wallets={string.Join(",", a.Wallets.Select(w => w.Address).Order())}"
            : "gone");

    private static async Task<(string Action, Dictionary<string, string> Fields)> FormAsync(HttpClient browser, string page, string selector)
    {
        var html = await browser.GetStringAsync(page);
        var form = new HtmlParser().ParseDocument(html).QuerySelector<IHtmlFormElement>(selector) ?? throw new InvalidOperationException($"no {selector} on {page}");
        var fields = new Dictionary<string, string>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input"))
        {
            if (string.IsNullOrEmpty(input.Name) || fields.ContainsKey(input.Name)) continue;
            if (input.Type is "checkbox" && !input.IsChecked) continue;
            fields[input.Name] = input.Value;
        }
        foreach (var area in form.QuerySelectorAll<IHtmlTextAreaElement>("textarea")) fields[area.Name!] = area.Value;
        foreach (var select in form.QuerySelectorAll<IHtmlSelectElement>("select")) fields[select.Name!] = select.Value ?? "";
        var action = form.GetAttribute("action");
        return (string.IsNullOrEmpty(action) ? page : action, fields);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient browser, string action, Dictionary<string, string> fields, params (string Key, string Value)[] extra) =>
        browser.PostAsync(action, new FormUrlEncodedContent(fields.Where(f => !extra.Any(e => e.Key == f.Key))
            .Select(f => new KeyValuePair<string, string>(f.Key, f.Value)).Concat(extra.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)))));
}
