using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using IdentityBridge.Tests.Infrastructure;
using IdentityBridge.Tests.Provider;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Admin;

/// <summary>
/// The admin console's forms, taken from the pages as an admin's browser gets them (antiforgery token, cookie,
/// <c>Version</c> field and all) and posted back as the <see cref="RequestFuzzer"/> mutates them (a fixed seed per
/// area): never a 5xx, no exception text, no redirect off this host, and an answer that is neither a redirect nor a
/// page showing a new secret leaves the account, client or keys as the admin API shows them (body and entity tag).
/// </summary>
public sealed class ConsoleFuzzTests(ConsoleFuzzTests.Host host, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ConsoleFuzzTests.Host>
{
    public sealed class Host : AdminHost;

    public static TheoryData<string> Areas => new() { "console-accounts", "console-clients", "console-keys", "console-lists" };

    [Theory]
    [MemberData(nameof(Areas))]
    public async Task Hostile_form_posts_never_break_the_console(string area)
    {
        var (api, _) = await host.AdminApiAsync();
        var browser = await host.BrowserAsync(await host.CreateAdminAsync());
        var checks = new FuzzChecks([]);
        var fuzzer = new RequestFuzzer(ProviderFuzzTests.Seed(area));
        foreach (var target in Targets(area, browser))
        {
            var request = await target.Fresh();
            var before = await StateAsync(api, target.State);
            for (var i = 0; i < target.Budget; i++)
            {
                if (i > 0 && i % target.Every == 0 || before is null)
                {
                    request = await target.Fresh();
                    before = await StateAsync(api, target.State);
                }
                var mutated = fuzzer.Mutate(request);
                using var response = await checks.SendAsync(browser, mutated, area);
                var body = await response.Content.ReadAsStringAsync();
                var after = await StateAsync(api, target.State);
                var status = (int)response.StatusCode;
                var applied = status == 302 || status == 200 && body.Contains("id=\"client-secret\"", StringComparison.Ordinal);
                if (!applied && after != before)
                    checks.Record(area, $"refused with {status} but changed {string.Join(" ", target.State.Select(s => s()))}", mutated, $"before: {before}\nafter: {after}");
                // A form posted to the page of another resource (a changed route value) must leave this one alone.
                else if (mutated.Path != request.Path && after != before)
                    checks.Record(area, $"posted to {mutated.Path} but changed {string.Join(" ", target.State.Select(s => s()))}", mutated, $"before: {before}\nafter: {after}");
                before = after;
            }
        }
        Assert.Equal(HttpStatusCode.OK, (await host.CreateApiClient().GetAsync("/.well-known/openid-configuration")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/admin/api/accounts")).StatusCode);
        output.WriteLine(checks.Summary);
        checks.AssertNone();
    }

    /// <summary>What the resources look like now (each body and entity tag), or null when the first is gone.</summary>
    private static async Task<string?> StateAsync(HttpClient api, IReadOnlyList<Func<string>> state)
    {
        var parts = new List<string>();
        foreach (var path in state)
        {
            using var response = await api.GetAsync(path());
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            parts.Add(response.Headers.ETag + " " + await response.Content.ReadAsStringAsync());
        }
        return string.Join("\n", parts);
    }

    /// <param name="Fresh">Makes the resource anew and reads its form from the page.</param>
    /// <param name="State">The admin API resources the form changes.</param>
    private sealed record Target(Func<Task<FuzzRequest>> Fresh, IReadOnlyList<Func<string>> State, int Budget = 40, int Every = 10);

    private IEnumerable<Target> Targets(string area, HttpClient browser)
    {
        // The resource the current requests of a target change: set by its Fresh, read by its State.
        var current = "";
        Func<string>[] account = [() => "/admin/api/accounts/" + current, () => $"/admin/api/accounts/{current}/sessions?all=true"];
        Func<string>[] client = [() => "/admin/api/clients/" + current];
        switch (area)
        {
            case "console-accounts":
                yield return new(() => FormAsync(browser, "/admin/accounts/new", "form[method=post]",
                    ("Form.DisplayName", "Fuzz"), ("Form.Email", "fuzz@example.com"), ("Form.Wallets", XrplAddress.CreateRandom()), ("Form.Roles", "staff")), []);
                foreach (var handler in new[] { "Profile", "LinkWallet", "UnlinkWallet", "GrantRole", "RevokeRole", "RevokeSession", "Disable", "Enable", "Unenrol", "Enrol", "Delete" })
                    yield return new(async () =>
                    {
                        current = await host.CreateAccountAsync(XrplAddress.CreateRandom(), "auditor");
                        await host.BrowserAsync(current);
                        if (handler is "Enable" or "Enrol")
                            await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == current)
                                .ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, Storage.Entities.AccountStatus.Disabled).SetProperty(a => a.Enrolled, false)));
                        return await FormAsync(browser, "/admin/accounts/" + current, $"form[action$='handler={handler}']",
                            ("Link.Address", XrplAddress.CreateRandom()), ("Grant.Role", "editor"), ("Profile.DisplayName", "Renamed"));
                    }, account, 24, 8);
                break;
            case "console-clients":
                yield return new(() => FormAsync(browser, "/admin/clients/new", "form[method=post]",
                    ("Form.ClientId", "fuzz-" + Guid.NewGuid().ToString("N")[..8]), ("Form.ClientName", "Fuzz"), ("Form.RedirectUris", "https://app.example/cb")), []);
                yield return new(async () =>
                {
                    current = await CreateClientAsync();
                    return await FormAsync(browser, $"/admin/clients/{current}/edit", "form[method=post]", ("Form.ClientName", "Renamed"));
                }, client);
                foreach (var handler in new[] { "Rotate", "Disable", "Enable", "Delete" })
                    yield return new(async () =>
                    {
                        current = await CreateClientAsync(enabled: handler != "Enable");
                        return await FormAsync(browser, "/admin/clients/" + current, $"form[action$='handler={handler}']", ("OverlapHours", "2"));
                    }, client, 30);
                break;
            case "console-keys":
                // Key generation is slow (RSA above all): the forms name an ES256 key, and a small budget keeps successful rotations few.
                foreach (var handler in new[] { "Rotate", "Retire", "Revoke" })
                    yield return new(async () =>
                    {
                        var kid = (await host.Services.GetRequiredService<IdentityBridge.Provider.Keys.SigningKeyStore>().RotateNowAsync("ES256", immediate: false)).Kid;
                        return await FormAsync(browser, "/admin/keys", $"form[action$='handler={handler}']",
                            f => handler == "Rotate" || f.QuerySelector<IHtmlInputElement>("input[name=kid]")?.Value == kid, ("Algorithm", "ES256"));
                    }, [() => "/admin/api/keys"], 30);
                break;
            case "console-lists":
                // Pages without a post handler, posted to anyway (with a valid token from a page that has forms).
                foreach (var page in new[] { "/admin", "/admin/clients?search=a&page=1", "/admin/accounts?q=a&status=enabled&page=1", "/admin/audit?from=2020-01-01&result=failure&page=1" })
                    yield return new(async () =>
                    {
                        var token = (await FormAsync(browser, "/admin/keys", "form[action$='handler=Rotate']")).Form!.Single(p => p.Key == "__RequestVerificationToken").Value!;
                        var (path, query) = Split(page + (page.Contains('?') ? "&" : "?") + "handler=Export");
                        return new FuzzRequest
                        {
                            Method = "POST", Path = path, Query = query, ContentType = "application/x-www-form-urlencoded",
                            Form = FuzzRequest.Pairs(("__RequestVerificationToken", Uri.UnescapeDataString(token)), ("Search", "x"), ("page", "2")),
                        };
                    }, [() => "/admin/api/keys", () => "/admin/api/clients"], 20);
                break;
        }
    }

    private async Task<string> CreateClientAsync(bool enabled = true)
    {
        var id = "fuzz-" + Guid.NewGuid().ToString("N")[..8];
        var (api, _) = await host.AdminApiAsync();
        var response = await api.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = id, clientName = "Fuzz " + id, enabled, redirectUris = new[] { "https://app.example/cb" },
            allowedScopes = new[] { "openid", "profile" }, allowedGrantTypes = new[] { "authorization_code", "refresh_token" },
        }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    /// <summary>
    /// The form <paramref name="selector"/> picks on <paramref name="page"/> as a browser would post it (every named
    /// input, checked boxes only, in document order), with <paramref name="values"/> filled in where the form has them.
    /// </summary>
    private static Task<FuzzRequest> FormAsync(HttpClient browser, string page, string selector, params (string Name, string Value)[] values) =>
        FormAsync(browser, page, selector, _ => true, values);

    /// <summary>The first form <paramref name="selector"/> picks on <paramref name="page"/> that <paramref name="pick"/> accepts.</summary>
    private static async Task<FuzzRequest> FormAsync(HttpClient browser, string page, string selector, Func<IHtmlFormElement, bool> pick,
        params (string Name, string Value)[] values)
    {
        var html = await browser.GetStringAsync(page);
        var form = new HtmlParser().ParseDocument(html).QuerySelectorAll<IHtmlFormElement>(selector).FirstOrDefault(pick)
                   ?? throw new InvalidOperationException($"no {selector} on {page}");
        var fields = new List<(string, string)>();
        foreach (var element in form.QuerySelectorAll("input[name], textarea[name], select[name]"))
        {
            var name = element.GetAttribute("name")!;
            var value = element switch
            {
                IHtmlInputElement { Type: "checkbox" or "radio", IsChecked: false } => null,
                IHtmlInputElement input => input.Value,
                IHtmlTextAreaElement area => area.Value,
                IHtmlSelectElement select => select.Value ?? "",
                _ => null,
            };
            if (value is null) continue;
            var fill = values.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();
            fields.Add((name, fill ?? value));
        }
        var action = form.GetAttribute("action");
        var (path, query) = Split(string.IsNullOrEmpty(action) ? page : action);
        return new FuzzRequest
        {
            Method = "POST",
            Path = path,
            Query = query,
            Form = FuzzRequest.Pairs([.. fields]),
            ContentType = "application/x-www-form-urlencoded",
            RouteSegments = path.Split('/').Length > 3 ? [3] : [],
        };
    }

    private static (string Path, List<KeyValuePair<string, string?>> Query) Split(string target)
    {
        var at = target.IndexOf('?');
        if (at < 0) return (target, []);
        var query = target[(at + 1)..].Split('&').Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string?>(p[0], p.Length > 1 ? p[1] : null)).ToList();
        return (target[..at], query);
    }
}
